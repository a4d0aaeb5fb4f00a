// bench/werift-load.mjs (issue 14 item 6): the werift cross-check of scripts/bench runs one
// consultation for a few seconds against a local medrtc (and Janus VideoRoom, where Janus
// is installed) and media flows both ways; bench/summarize.py puts its CPU ratio in the
// table beside the loadgen's. A smoke test: no performance figure is asserted.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, startServer } from '../support/server.mjs';

const load = path.join(repoRoot, 'bench/werift-load.mjs');
let workDir;

before(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'medrtc-werift-load-'));
});

after(async () => {
  if (workDir) {
    await rm(workDir, { recursive: true, force: true });
  }
});

function run(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [load, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** Runs one consultation for 3 s and checks that each participant sent and received both kinds. */
async function expectMediaBothWays(target, url, serverPid, extra) {
  const out = path.join(workDir, `${target}.json`);
  const r = await run(['--target', target, '--url', url, '--consultations', '1', '--duration', '3',
    '--server-pid', String(serverPid), '--out', out, ...extra], 60000);
  const context = `exit ${r.code} ${r.signal ?? ''}\n${r.output}`;
  assert.equal(r.code, 0, context);
  const result = JSON.parse(await readFile(out, 'utf8'));
  assert.equal(result.tool, 'werift');
  assert.equal(result.config.target, target);
  assert.equal(result.failed_consultations, 0, JSON.stringify(result.failures));
  assert.equal(result.participants.length, 2);
  for (const p of result.participants) {
    assert.equal(p.ok, true, `${p.name}: ${p.failure}`);
    // 3 s of 50 audio + ~190 video packets/s; well below that means the pacer fell behind
    assert.ok(p.packets_sent > 300, `${p.name} sent ${p.packets_sent}`);
    assert.ok(p.audio_received > 50, `${p.name} received ${p.audio_received} audio packets`);
    assert.ok(p.video_received > 200, `${p.name} received ${p.video_received} video packets`);
  }
  assert.ok(result.packets_expected >= result.packets_received - result.packets_lost);
  assert.ok(result.server.cpu_seconds_per_consultation_minute > 0, JSON.stringify(result.server));
  assert.equal(typeof result.loadgen.loadgen_saturated, 'boolean');
  assert.equal(typeof result.frames_skipped, 'number');
}

test('werift-load: one consultation against medrtc, media both ways', { timeout: 90000 }, async () => {
  // werift's sockets bind 127.0.0.1 (--bind-ip); the server announces that address too
  const server = await startServer({ workers: 1, args: ['--media-ip', '127.0.0.1'] });
  try {
    await expectMediaBothWays('medrtc', server.baseUrl, server.process.pid, ['--api-key', server.apiKey]);
  } finally {
    await server.stop();
  }
});

/** The machine's own IPv4 address: libnice (Janus) gathers no 127.0.0.1 candidate (bench/README.md). */
function mediaIp() {
  const r = spawnSync('ip', ['-4', 'route', 'get', '1.1.1.1'], { encoding: 'utf8' });
  return /\bsrc ([0-9.]+)/.exec(r.stdout ?? '')?.[1] ?? null;
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const janusMissing = spawnSync('sh', ['-c', 'command -v janus'], { encoding: 'utf8' }).status !== 0
  ? 'janus is not installed (scripts/bench installs it from scripts/deps/bench.txt)'
  : !mediaIp() ? 'no non-loopback IPv4 address for Janus\'s ICE' : false;

test('werift-load: one consultation against Janus VideoRoom, media both ways', { timeout: 90000, skip: janusMissing }, async () => {
  const ip = mediaIp();
  const port = await freePort();
  const dir = path.join(workDir, 'janus');
  execFileSync(path.join(repoRoot, 'bench/janus/render.sh'), [dir, ip, String(port)]);
  const janus = spawn('janus', ['-C', path.join(dir, 'janus.jcfg'), '-F', dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/janus`;
  try {
    for (let i = 0; ; i++) {
      const info = await fetch(url, { method: 'POST', body: '{"janus":"info","transaction":"t"}' }).then((r) => r.text()).catch(() => '');
      if (info.includes('server_info')) {
        break;
      }
      assert.ok(i < 100 && janus.exitCode === null, 'janus did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await expectMediaBothWays('janus', url, janus.pid, ['--bind-ip', ip]);
  } finally {
    janus.kill();
    await new Promise((r) => (janus.exitCode !== null ? r() : janus.once('exit', r)));
  }
});

test('summarize.py report: medrtc/Janus CPU by werift beside the loadgen ratio, in the table and the JSON', async () => {
  const work = path.join(workDir, 'summary');
  await mkdir(path.join(work, 'runs'), { recursive: true });
  await mkdir(path.join(work, 'werift'), { recursive: true });
  const run = (cpu) => ({ consultations: 10, window_seconds: 5, failed_consultations: 0, loss_fraction: 0,
    packets_received: 1000, latency_ms: { p50: 0.1, p99: 1, max: 2 }, server: { cpu_seconds_per_consultation_minute: cpu },
    loadgen: { cpu_seconds: 1, loadgen_saturated: false } });
  for (const rep of [1, 2]) {
    await writeFile(path.join(work, 'runs', `medrtc-n10-r${rep}.json`), JSON.stringify(run(0.4)));
    await writeFile(path.join(work, 'runs', `janus-n10-r${rep}.json`), JSON.stringify(run(1.0)));
    await writeFile(path.join(work, 'werift', `medrtc-n10-r${rep}.json`), JSON.stringify({ tool: 'werift', ...run(rep === 1 ? 0.5 : 0.7) }));
    await writeFile(path.join(work, 'werift', `janus-n10-r${rep}.json`), JSON.stringify({ tool: 'werift', ...run(1.2) }));
  }
  const summarize = (extra) => spawnSync('python3', [path.join(repoRoot, 'bench/summarize.py'), 'report', work,
    path.join(work, 'out'), '0.005', '10', '--compare-n', '10', '--targets', 'medrtc janus', ...extra], { encoding: 'utf8' });
  const r = summarize(['--werift-n', '10']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| server CPU s per consultation-minute \(N=10, mean of 2\/2 runs\) \| 0\.400 \| 1\.000 \| \*\*0\.40\*\* \|/);
  assert.match(r.stdout, /\| server CPU s per consultation-minute by werift \(N=10, mean of 2\/2 runs\) \| 0\.600 \| 1\.200 \| \*\*0\.50\*\* \|/);
  const json = JSON.parse(await readFile(path.join(work, 'out.json'), 'utf8'));
  assert.equal(json.ratios.cpu_by_loadgen.toFixed(2), '0.40');
  assert.equal(json.ratios.cpu_by_werift.toFixed(2), '0.50');
  assert.equal(json.werift.targets.medrtc.runs, 2);
  // --werift-n 0 (scripts/bench skipped the cross-check): no werift row
  const off = summarize([]);
  assert.equal(off.status, 0, off.stderr);
  assert.doesNotMatch(off.stdout, /by werift/);
});

test('werift media: loadgen\'s profile (50 Opus packets/s, VP8 at 1.5 Mbit/s in ≤ 1,100-byte payloads), frames > 200 ms late skipped', async () => {
  const { Source, videoFrameSizes } = await import(path.join(repoRoot, 'bench/werift/media.mjs'));
  const written = { audio: [], video: [] };
  const track = (kind) => ({ writeRtp: (rtp) => written[kind].push(rtp) });
  const source = new Source({ audioTrack: track('audio'), videoTrack: track('video'), videoBitrateBps: 1_500_000, maxPayload: 1100 });
  // src/client/synthetic_publisher.cpp: delta = 562,500 B per 3 s / (89 + 4)
  assert.deepEqual(videoFrameSizes(1_500_000), { framesPerKeyframe: 90, delta: 6048, keyframe: 24192 });
  for (let t = 1000; t < 4000; t += 2) { // 3 s in 2 ms pacer turns
    source.sendDue(t);
  }
  assert.equal(written.audio.length, 150);
  assert.ok(written.audio.every((p) => p.payload.length === 80));
  const videoBits = written.video.reduce((a, p) => a + 8 * p.payload.length, 0);
  assert.ok(Math.abs(videoBits / 3 - 1_500_000) < 30_000, `video ${videoBits / 3} bit/s`);
  assert.ok(written.video.every((p) => p.payload.length <= 1100));
  assert.equal(written.video.filter((p) => p.header.marker).length, 90); // one marker per frame, 30 fps
  const seqs = written.video.map((p) => p.header.sequenceNumber);
  assert.ok(seqs.every((s, i) => i === 0 || s === ((seqs[i - 1] + 1) & 0xffff)));
  // A turn 1 s late sends only the last 200 ms, and counts the rest as skipped.
  const before = written.audio.length;
  source.sendDue(5000);
  assert.equal(written.audio.length - before, 11); // frames due at 4800 … 5000 ms
  assert.equal(source.framesSkipped, 40 + 24); // audio 4000 … 4780, video 4000 … 4767 ms
});

test('scripts/bench refuses a --werift-n that is not a whole number before installing or building', () => {
  const r = spawnSync(path.join(repoRoot, 'scripts/bench'), ['--werift-n', 'ten'],
    { encoding: 'utf8', timeout: 20_000, env: { ...process.env, MEDRTC_BENCH_BUILD_DIR: 'build-does-not-exist' } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--werift-n must be a whole number \(0 skips the werift cross-check\), got ten/);
  assert.doesNotMatch(r.stderr, /building/);
});
