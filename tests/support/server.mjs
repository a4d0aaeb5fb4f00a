// Starts a throw-away `medrtc serve` for node tests (interop, e2e, bench) and talks to its
// REST API. The binary and the web root come from MEDRTC_BIN / MEDRTC_WEB_ROOT, defaulting
// to <repo>/build/medrtc and <repo>/build/web.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

/**
 * `wrapper` runs the binary through a command, e.g. ['prlimit', '--nofile=1024'] (it must exec
 * the binary, so the child's pid stays the server's). `listen` is the HTTP address (default
 * 127.0.0.1:0); a test whose browser runs in another network namespace listens on an address
 * that namespace reaches. `bin` replaces MEDRTC_BIN for this server (e.g. medrtc-tap,
 * tests/support/media-tap.mjs).
 * @param {{workers?: number, dev?: boolean, env?: Record<string,string>, args?: string[], wrapper?: string[], listen?: string, bin?: string}} [options]
 * @returns {Promise<{baseUrl: string, apiKey: string, process: import('node:child_process').ChildProcess,
 *   dataDir: string, logs(): string, stop(): Promise<void>, restart(): Promise<void>}>}
 */
export async function startServer({ workers = 1, dev = false, env = {}, args = [], wrapper = [], listen = '127.0.0.1:0', bin } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'medrtc-test-'));
  const apiKey = `test_${randomBytes(24).toString('hex')}`;
  let current = await spawnServer({ workers, dev, env, args, wrapper, dataDir, apiKey, listen, bin });
  let stopped = false;
  const server = {
    baseUrl: current.baseUrl,
    apiKey,
    process: current.child,
    dataDir,
    logs: () => current.logsBefore + current.logs(),
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      await current.kill();
      await rm(dataDir, { recursive: true, force: true });
    },
    /**
     * Stops the server (SIGTERM, like an update or a crash recovery) and starts it again on
     * the same data dir and the same port, so pages reconnect to the same address.
     */
    async restart() {
      const before = server.logs();
      await current.kill();
      const { hostname, port } = new URL(server.baseUrl);
      // The port was just released; retry briefly in case the kernel still holds it.
      for (let attempt = 0; ; attempt += 1) {
        try {
          current = await spawnServer({ workers, dev, env, args, wrapper, dataDir, apiKey, listen: `${hostname}:${port}`, keepDataDirOnFailure: true, bin });
          break;
        } catch (err) {
          if (attempt >= 5) {
            throw err;
          }
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      current.logsBefore = `${before}\n--- restarted ---\n`;
      server.baseUrl = current.baseUrl;
      server.process = current.child;
    },
  };
  return server;
}

/**
 * Runs `medrtc admin <args…> --data-dir <the server's data dir>` and returns its stdout
 * (e.g. create-tenant, create-user). `input` is written to stdin (for --password-stdin).
 */
export async function runAdmin(server, args, { input } = {}) {
  const bin = process.env.MEDRTC_BIN ?? path.join(repoRoot, 'build/medrtc');
  const child = spawn(bin, ['admin', ...args, '--data-dir', server.dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
  child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
  // A command that fails before reading stdin closes it: the exit code and stderr below
  // say why, not an EPIPE thrown out of this write.
  child.stdin.on('error', () => {});
  child.stdin.end(input ?? '');
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) {
    throw new Error(`medrtc admin ${args.join(' ')} exited ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  return { stdout, stderr };
}

async function spawnServer({ workers, dev, env, args, wrapper = [], dataDir, apiKey, listen, keepDataDirOnFailure = false, bin: chosenBin }) {
  const bin = chosenBin ?? process.env.MEDRTC_BIN ?? path.join(repoRoot, 'build/medrtc');
  const webRoot = process.env.MEDRTC_WEB_ROOT ?? path.join(repoRoot, 'build/web');
  const argv = [
    'serve',
    '--listen', listen,
    '--data-dir', dataDir,
    '--web-root', webRoot,
    '--workers', String(workers),
    ...(dev ? ['--dev'] : []),
    // stop() and restart() send one SIGTERM and expect the server gone, calls ended with
    // room_ended "server_shutdown", as before graceful drain; drain tests pass their own.
    ...(args.some((a) => a.startsWith('--drain-timeout')) ? [] : ['--drain-timeout', '0']),
    ...args,
  ];
  const command = wrapper.length > 0 ? [wrapper[0], [...wrapper.slice(1), bin, ...argv]] : [bin, argv];
  const child = spawn(command[0], command[1], {
    env: { ...process.env, MEDRTC_BOOTSTRAP_API_KEY: apiKey, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (err) => {
      exited = { code: null, signal: null, error: err };
      resolve(exited);
    });
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');

  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new Error(`medrtc did not print "listening on" within ${READY_TIMEOUT_MS} ms\n` +
        `command: ${bin} ${argv.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, READY_TIMEOUT_MS);
    let settled = false;
    function fail(err) {
      if (settled) {
        return; // exited after it was ready: that is kill(), not a start failure
      }
      settled = true;
      clearTimeout(timer);
      if (exited === null) {
        child.kill('SIGKILL');
      }
      if (!keepDataDirOnFailure) {
        rm(dataDir, { recursive: true, force: true }).catch(() => {});
      }
      reject(err);
    }
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = /listening on (https?:\/\/[^\s]+)/.exec(stdout);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    exitPromise.then((info) => {
      fail(new Error(`medrtc exited before it was ready (${info.error ?? `code ${info.code}, signal ${info.signal}`})\n` +
        `command: ${bin} ${argv.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });

  let killed = false;
  return {
    baseUrl,
    child,
    logsBefore: '',
    logs: () => stdout + stderr,
    async kill() {
      if (killed) {
        return;
      }
      killed = true;
      if (exited === null) {
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => {
          if (exited === null) {
            child.kill('SIGKILL');
          }
        }, STOP_GRACE_MS);
        await exitPromise;
        clearTimeout(killTimer);
      }
    },
  };
}

async function api(server, method, urlPath, body, { auth = true } = {}) {
  const headers = {};
  if (auth) {
    headers.authorization = `Bearer ${server.apiKey}`;
  }
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(server.baseUrl + urlPath, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    const err = new Error(`${method} ${urlPath} → ${res.status}: ${text}`);
    err.status = res.status;
    throw err;
  }
  return text ? JSON.parse(text) : null;
}

/** POST /api/v1/rooms → the new room's id. */
export async function createRoom(server, body = {}) {
  const room = await api(server, 'POST', '/api/v1/rooms', body);
  return room.id;
}

/** POST /api/v1/rooms/{id}/tokens → { token, join_url } (join_url is relative). */
export async function createToken(server, roomId, { identity, name, role = 'guest', ttl_seconds } = {}) {
  const body = { identity: identity ?? `user-${randomBytes(4).toString('hex')}`, name: name ?? identity ?? 'Test user', role };
  if (ttl_seconds !== undefined) {
    body.ttl_seconds = ttl_seconds;
  }
  return api(server, 'POST', `/api/v1/rooms/${encodeURIComponent(roomId)}/tokens`, body);
}

/** GET /api/v1/rooms/{id}. */
export async function getRoom(server, roomId) {
  return api(server, 'GET', `/api/v1/rooms/${encodeURIComponent(roomId)}`);
}

/** DELETE /api/v1/rooms/{id}. */
export async function deleteRoom(server, roomId) {
  return api(server, 'DELETE', `/api/v1/rooms/${encodeURIComponent(roomId)}`);
}

/** POST /api/v1/dev/rooms (server started with dev: true) → { id, links: [...] }. */
export async function createDevRoom(server) {
  return api(server, 'POST', '/api/v1/dev/rooms', undefined, { auth: false });
}

/** The signaling WebSocket URL of the server. */
export function wsUrl(server) {
  return server.baseUrl.replace(/^http/, 'ws') + '/api/v1/ws';
}

/**
 * Polls `fn` until it returns a truthy value, or throws after `timeoutMs` with the last
 * value / error in the message. Tests use it instead of fixed sleeps.
 */
export async function waitFor(fn, { timeoutMs = 20_000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) {
        return last;
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${
        last instanceof Error ? last.stack : JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
