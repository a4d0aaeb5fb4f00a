// `medrtc loadgen` (issue 6) runs a 5-second load of 2 consultations against a real medrtc
// and reports zero failures; every participant received the other's media. A smoke test of
// the load generator, not a benchmark: no performance figure is asserted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, startServer } from '../support/server.mjs';

let server;
let workDir;

before(async () => {
  // loadgen's sockets bind 127.0.0.1 (--bind-ip) and expect answers from the address they
  // sent to; the server's 0.0.0.0 socket answers a loopback peer from 127.0.0.1, so the
  // server announces 127.0.0.1 here (docs/loadgen.md). Browsers never see this server.
  server = await startServer({ workers: 1, args: ['--media-ip', '127.0.0.1'] });
  workDir = await mkdtemp(path.join(tmpdir(), 'medrtc-loadgen-'));
});

after(async () => {
  await server?.stop();
  if (workDir) {
    await rm(workDir, { recursive: true, force: true });
  }
});

function run(bin, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('medrtc loadgen: 2 consultations for 5 s against medrtc, zero failures', { timeout: 90000 }, async () => {
  const bin = process.env.MEDRTC_BIN ?? path.join(repoRoot, 'build/medrtc');
  const out = path.join(workDir, 'result.json');
  const args = ['loadgen', '--target', 'medrtc', '--url', server.baseUrl, '--api-key', server.apiKey,
    '--consultations', '2', '--duration', '5', '--server-pid', String(server.process.pid), '--out', out];
  const r = await run(bin, args, 60000);
  const context = `exit ${r.code} ${r.signal ?? ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.equal(r.code, 0, context);
  assert.match(r.stdout, /2 consultations, .* 0 failed/, context);

  const result = JSON.parse(await readFile(out, 'utf8'));
  assert.equal(result.config.target, 'medrtc');
  assert.equal(result.consultations, 2);
  assert.equal(result.failed_consultations, 0, JSON.stringify(result.failures));
  assert.deepEqual(result.failures, []);
  assert.equal(result.participants.length, 4);
  for (const p of result.participants) {
    assert.equal(p.ok, true, `${p.name}: ${p.failure}`);
    assert.ok(p.packets_sent > 0, `${p.name} sent nothing`);
    assert.ok(p.audio_received > 0, `${p.name} received no audio`);
    assert.ok(p.video_received > 0, `${p.name} received no video`);
    assert.ok(p.join_ms > 0, `${p.name} has no join time`);
  }
  assert.ok(result.packets_received > 0);
  assert.equal(typeof result.loadgen.loadgen_saturated, 'boolean');
  assert.ok(result.server.cpu_seconds_per_consultation_minute > 0);
});

test('medrtc loadgen --simulcast: each participant publishes three layers and receives one of the other\'s', { timeout: 90000 }, async () => {
  const bin = process.env.MEDRTC_BIN ?? path.join(repoRoot, 'build/medrtc');
  const out = path.join(workDir, 'simulcast.json');
  const args = ['loadgen', '--target', 'medrtc', '--url', server.baseUrl, '--api-key', server.apiKey,
    '--consultations', '1', '--duration', '4', '--simulcast', '--video-bitrate', '900000', '--out', out];
  const r = await run(bin, args, 60000);
  const context = `exit ${r.code} ${r.signal ?? ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.equal(r.code, 0, context);
  const result = JSON.parse(await readFile(out, 'utf8'));
  assert.equal(result.config.simulcast, true);
  assert.equal(result.failed_consultations, 0, JSON.stringify(result.failures));
  for (const p of result.participants) {
    assert.equal(p.ok, true, `${p.name}: ${p.failure}`);
    assert.ok(p.video_received > 0, `${p.name} received no video`);
    // Three layers go up (q, h and f: 1/9 + 1/3 + 1 of the top's bytes), one comes down
    // (the top, in a 1:1 call): more packets sent than received.
    assert.ok(p.packets_sent > p.packets_received * 1.2, `${p.name}: sent ${p.packets_sent}, received ${p.packets_received}`);
  }
});
