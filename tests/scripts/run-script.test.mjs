// ./scripts/run itself, with a flag the user gives: it replaces the script's default, and
// `medrtc serve` starts (before: "--listen: At Most 1 required but received 2"). The
// script runs from a copy of scripts/ whose install and build steps are stubs, so the test
// needs only the built binary (MEDRTC_BIN) and never touches the real data/ or build/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../support/server.mjs';

let root;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'medrtc-run-'));
  await mkdir(path.join(root, 'scripts/lib'), { recursive: true });
  await mkdir(path.join(root, 'build'), { recursive: true });
  await copyFile(path.join(repoRoot, 'scripts/run'), path.join(root, 'scripts/run'));
  await copyFile(path.join(repoRoot, 'scripts/lib/serve-args.sh'), path.join(root, 'scripts/lib/serve-args.sh'));
  await copyFile(path.join(repoRoot, 'scripts/lib/coturn.sh'), path.join(root, 'scripts/lib/coturn.sh'));
  await chmod(path.join(root, 'scripts/lib/coturn.sh'), 0o755);
  for (const stub of ['install-deps.sh', 'build.sh', 'build-web.sh']) {
    await writeFile(path.join(root, 'scripts/lib', stub), '#!/usr/bin/env bash\nexit 0\n');
    await chmod(path.join(root, 'scripts/lib', stub), 0o755);
  }
  await symlink(process.env.MEDRTC_BIN ?? path.join(repoRoot, 'build/medrtc'), path.join(root, 'build/medrtc'));
  await mkdir(path.join(root, 'build/web'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs scripts/run with `args` until it prints its listening line; returns that URL and the output. */
function runUntilListeningWithOutput(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'scripts/run'), args, {
      env: { ...process.env, MEDRTC_DEV: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line within 20 s:\n${out}`));
    }, 20_000);
    const onData = (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.once('exit', () => resolve({ url: m[1], out }));
        child.kill('SIGTERM');
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/listening on/.test(out)) {
        reject(new Error(`scripts/run exited ${code}:\n${out}`));
      }
    });
  });
}

async function runUntilListening(args) {
  return (await runUntilListeningWithOutput(args)).url;
}

test('./scripts/run --listen HOST:PORT serves there instead of failing on a second --listen', { timeout: 30_000 }, async () => {
  const dataDir = path.join(root, 'elsewhere');
  const url = await runUntilListening(['--listen', '127.0.0.1:0', `--data-dir=${dataDir}`]);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(new URL(url).port, '8080', 'the script default won');
  assert.ok((await stat(path.join(dataDir, 'medrtc.db'))).isFile(), 'the user\'s --data-dir was not used');
});

test('./scripts/run --turn starts coturn with UDP, TCP and TLS and hands medrtc all three URLs', { timeout: 30_000 }, async () => {
  const { url, out } = await runUntilListeningWithOutput(['--turn', '--listen', '127.0.0.1:0']);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const line = /coturn on \S+: (\S+)/.exec(out);
  assert.ok(line, `no coturn line in:\n${out}`);
  const urls = line[1].split(',');
  assert.equal(urls.length, 3, line[1]);
  assert.match(urls[0], /^turn:127\.0\.0\.1:\d+\?transport=udp$/);
  assert.match(urls[1], /^turn:127\.0\.0\.1:\d+\?transport=tcp$/);
  assert.match(urls[2], /^turns:127\.0\.0\.1:\d+\?transport=tcp$/);
  // medrtc took them: it logs that TURN credentials are handed out.
  assert.match(out, /turn=on/);
});
