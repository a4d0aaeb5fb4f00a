// A throw-away coturn (scripts/lib/coturn.sh: use-auth-secret; UDP and TCP on one port,
// TLS on another; on 127.0.0.1 and this machine's interface address) for browser tests
// that need a relay, and the `serve` flags that point medrtc at it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './server.mjs';

const run = promisify(execFile);
const script = path.join(repoRoot, 'scripts/lib/coturn.sh');

/** This machine's first global IPv4 interface address (coturn.sh also listens there), or undefined. */
export function interfaceIpv4() {
  return Object.values(networkInterfaces()).flat().find((a) => a.family === 'IPv4' && !a.internal)?.address;
}

/**
 * Starts coturn; returns `{ port, urls, serveArgs, logTail(lines), stop() }`. `urls` are
 * the UDP, TCP and TLS URLs; serveArgs hand clients those of `transports` ('udp', 'tcp',
 * 'tls'). `listenIp` and `relayIp` default to scripts/lib/coturn.sh's choice. `host`: the
 * address in the URLs medrtc hands out, when not the listening address (Firefox needs
 * `interfaceIpv4()`: it reaches no TURN server on 127.0.0.1).
 * @param {{transports?: string[], listenIp?: string, relayIp?: string, host?: string}} [options]
 */
export async function startCoturn({ transports = ['udp'], listenIp, relayIp, host } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'medrtc-coturn-'));
  const env = { ...process.env };
  if (listenIp) {
    env.MEDRTC_TURN_LISTEN_IP = listenIp;
  }
  if (relayIp) {
    env.MEDRTC_TURN_RELAY_IP = relayIp;
  }
  const { stdout } = await run(script, ['start', dir], { env });
  const port = Number(stdout.trim());
  if (!(port > 0)) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`coturn.sh printed no port: ${stdout}`);
  }
  const urls = (await readFile(path.join(dir, 'turn.urls'), 'utf8')).split('\n').filter(Boolean);
  const transportOf = (url) => (url.startsWith('turns:') ? 'tls' : /transport=tcp/.test(url) ? 'tcp' : 'udp');
  const chosen = urls
    .filter((u) => transports.includes(transportOf(u)))
    .map((u) => (host ? u.replace(/^(turns?):[^:?]+:/, `$1:${host}:`) : u));
  return {
    port,
    urls,
    tlsPort: Number(urls.find((u) => u.startsWith('turns:'))?.match(/:(\d+)\?/)?.[1] ?? 0),
    serveArgs: ['--turn-url', chosen.join(','), '--turn-secret-file', path.join(dir, 'turn.secret')],
    async logTail(lines = 40) {
      const log = await readFile(path.join(dir, 'turnserver.log'), 'utf8').catch(() => '');
      return log.split('\n').slice(-lines).join('\n');
    },
    async stop() {
      await run(script, ['stop', dir]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
