// A throw-away coturn (scripts/lib/coturn.sh: use-auth-secret, UDP on 127.0.0.1 and this
// machine's interface address) for browser tests that force relay-only ICE, and the
// `serve` flags that point medrtc at it.
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
 * Starts coturn; returns `{ port, serveArgs, logTail(lines), stop() }`. `host`: the
 * address in the TURN URL medrtc hands out (Firefox needs `interfaceIpv4()`: it reaches
 * no TURN server on 127.0.0.1).
 */
export async function startCoturn({ host = '127.0.0.1' } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'medrtc-coturn-'));
  const { stdout } = await run(script, ['start', dir]);
  const port = Number(stdout.trim());
  if (!(port > 0)) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`coturn.sh printed no port: ${stdout}`);
  }
  return {
    port,
    serveArgs: ['--turn-url', `turn:${host}:${port}?transport=udp`, '--turn-secret-file', path.join(dir, 'turn.secret')],
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
