// A throw-away coturn (scripts/lib/coturn.sh: use-auth-secret; UDP and TCP on one port,
// TLS on another) for browser tests that need a relay, and the `serve` flags that point
// medrtc at it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './server.mjs';

const run = promisify(execFile);
const script = path.join(repoRoot, 'scripts/lib/coturn.sh');

/**
 * Starts coturn; returns `{ port, urls, serveArgs, logTail(lines), stop() }`. `urls` are
 * the UDP, TCP and TLS URLs; serveArgs hand clients those of `transports` ('udp', 'tcp',
 * 'tls'). `listenIp` and `relayIp` default to scripts/lib/coturn.sh's choice.
 * @param {{transports?: string[], listenIp?: string, relayIp?: string}} [options]
 */
export async function startCoturn({ transports = ['udp'], listenIp, relayIp } = {}) {
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
  const chosen = urls.filter((u) => transports.includes(transportOf(u)));
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
