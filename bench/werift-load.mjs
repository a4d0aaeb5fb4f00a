#!/usr/bin/env node
// The werift cross-check of scripts/bench (issue 14 item 6): N 1:1 consultations from
// werift (an independent WebRTC stack in Node) against medrtc or Janus VideoRoom, with the
// media and signaling of `medrtc loadgen` (bench/werift/), so that the medrtc/Janus CPU
// ratio does not rest on our own client alone. Joins, measures a fixed window, stops, exits.
//
//   node bench/werift-load.mjs --target medrtc|janus --url URL [--api-key KEY] [--consultations N]
//        [--duration S] [--ramp S] [--bind-ip IP] [--server-pid PID] [--video-bitrate BPS]
//        [--packet-size B] [--join-timeout S] [--out FILE]
//
// The server's CPU is read from /proc/<pid>/stat (utime + stime) at the start and end of
// the window, as loadgen does (src/loadgen/process_stats.cpp). Output: one JSON object with
// packets sent / received / lost over the window (and per participant), the server's CPU
// per consultation-minute and this process's CPU share.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { JanusSignaling, janusSetup, janusTeardown } from './werift/janus.mjs';
import { ReceiveStats } from './werift/media.mjs';
import { MedrtcSignaling, medrtcSetup } from './werift/medrtc.mjs';
import { Pacer } from './werift/media.mjs';
import { Participant } from './werift/participant.mjs';

const DRAIN_MS = 300; // packets in flight after sending stops, as loadgen's kDrain
const SATURATION_SHARE = 0.9; // loadgen's kSaturationShare

const { values: opt } = parseArgs({
  options: {
    target: { type: 'string', default: 'medrtc' },
    url: { type: 'string' },
    'api-key': { type: 'string', default: '' },
    consultations: { type: 'string', default: '1' },
    duration: { type: 'string', default: '10' },
    ramp: { type: 'string', default: '0' },
    'bind-ip': { type: 'string', default: '127.0.0.1' },
    'server-pid': { type: 'string' },
    'video-bitrate': { type: 'string', default: '1500000' },
    'packet-size': { type: 'string', default: '1100' },
    'join-timeout': { type: 'string', default: '30' },
    out: { type: 'string' },
  },
});
const n = Number(opt.consultations);
const durationS = Number(opt.duration);
const videoBitrateBps = Number(opt['video-bitrate']);
if (!['medrtc', 'janus'].includes(opt.target) || !opt.url || !(n >= 1) || !(durationS > 0)) {
  console.error('werift-load: --target medrtc|janus, --url, --consultations ≥ 1 and --duration > 0 are required');
  process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** {cpu_seconds, rss_bytes} of the server, or null. */
function sampleServer() {
  if (!opt['server-pid']) {
    return null;
  }
  try {
    const stat = readFileSync(`/proc/${opt['server-pid']}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // field 3 onwards
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${opt['server-pid']}/status`, 'utf8'));
    return { cpu_seconds: (Number(fields[11]) + Number(fields[12])) / clockTicks, rss_bytes: rss ? Number(rss[1]) * 1024 : null };
  } catch {
    return null;
  }
}

function percentile(values, q) {
  const v = values.filter((x) => x !== null).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : null;
}

const pacer = new Pacer();
const participants = [];
const signalings = [];
let rooms = [];
const log = (text) => console.error(`werift-load: ${text}`);

// Setup, not timed: rooms (and medrtc tokens).
const bind = { bindIp: opt['bind-ip'], pacer, videoBitrateBps, maxPayload: Number(opt['packet-size']) };
const failSetup = (err) => {
  log(`setup failed: ${err.message}`);
  process.exit(1);
};
if (opt.target === 'medrtc') {
  const pairs = await medrtcSetup({ url: opt.url, apiKey: opt['api-key'], consultations: n }).catch(failSetup);
  pairs.forEach((tokens, c) => tokens.forEach((token, who) => {
    const participant = new Participant({ name: `c${c}-${who ? 'b' : 'a'}`, ...bind });
    participants.push(participant);
    signalings.push(new MedrtcSignaling({ url: opt.url, token, participant }));
  }));
} else {
  rooms = await janusSetup({ url: opt.url, consultations: n, videoBitrateBps }).catch(failSetup);
  rooms.forEach((room, c) => [0, 1].forEach((who) => {
    const participant = new Participant({ name: `c${c}-${who ? 'b' : 'a'}`, ...bind });
    participants.push(participant);
    signalings.push(new JanusSignaling({ url: opt.url, room, participant }));
  }));
}
log(`${n} consultation(s) set up on ${opt.target}`);

// Ramp: consultation c starts at c × ramp / N; then wait until everyone receives.
const t0 = performance.now();
for (let c = 0; c < n; c++) {
  await sleep(Math.max(0, t0 + (Number(opt.ramp) * 1000 * c) / n - performance.now()));
  signalings[2 * c].start();
  signalings[2 * c + 1].start();
}
const joinDeadline = performance.now() + Number(opt['join-timeout']) * 1000;
while (!participants.every((p) => p.received.firstAt !== null || p.failure) && performance.now() < joinDeadline) {
  await sleep(20);
}
const joined = participants.filter((p) => p.received.firstAt !== null).length;
log(`${joined}/${participants.length} participants receiving after ${Math.round(performance.now() - t0)} ms; measuring for ${durationS} s`);
for (const p of participants) {
  if (p.received.firstAt === null) {
    p.fail(`did not receive remote media within ${opt['join-timeout']} s`);
  }
}

// The measured window.
const serverStart = sampleServer();
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const sentStart = participants.map((p) => p.source.packetsSent);
const skippedStart = participants.map((p) => p.source.framesSkipped);
const rxStart = participants.map((p) => p.received.snapshot());
await sleep(durationS * 1000);
const serverEnd = sampleServer();
const cpu = process.cpuUsage(cpuStart);
const windowSeconds = (performance.now() - wallStart) / 1000;
pacer.stop();
const sent = participants.map((p, i) => p.source.packetsSent - sentStart[i]);
const skipped = participants.map((p, i) => p.source.framesSkipped - skippedStart[i]);
await sleep(DRAIN_MS);
const rx = participants.map((p, i) => ({ ...ReceiveStats.delta(rxStart[i], p.received.snapshot()),
  audio: p.received.audio - rxStart[i].audio, video: p.received.video - rxStart[i].video }));

// Tear down.
for (const p of participants) {
  p.leaving = true;
}
for (const s of signalings) {
  s.leave();
}
await sleep(200);
if (rooms.length) {
  await janusTeardown({ url: opt.url, rooms }).catch((err) => log(`could not destroy the Janus rooms: ${err.message}`));
}
await Promise.race([Promise.allSettled(participants.map((p) => p.close())), sleep(3000)]);

const rows = participants.map((p, i) => ({
  name: p.name, consultation: Math.floor(i / 2), ok: !p.failure, failure: p.failure,
  join_ms: p.joinMs, packets_sent: sent[i], frames_skipped: skipped[i], packets_received: rx[i].received, audio_received: rx[i].audio,
  video_received: rx[i].video, packets_expected: rx[i].expected, packets_lost: rx[i].lost,
}));
const sum = (key) => rows.reduce((a, r) => a + r[key], 0);
const failed = new Set(rows.filter((r) => !r.ok).map((r) => r.consultation));
const cores = os.availableParallelism();
const loadgenCpuSeconds = (cpu.user + cpu.system) / 1e6;
const serverCpu = serverStart && serverEnd ? serverEnd.cpu_seconds - serverStart.cpu_seconds : null;
const result = {
  tool: 'werift',
  config: { target: opt.target, url: opt.url, consultations: n, ramp_seconds: Number(opt.ramp), duration_seconds: durationS,
    video_bitrate_bps: videoBitrateBps, packet_size: Number(opt['packet-size']), bind_ip: opt['bind-ip'],
    server_pid: opt['server-pid'] ? Number(opt['server-pid']) : null },
  window_seconds: windowSeconds,
  consultations: n,
  failed_consultations: failed.size,
  failures: rows.filter((r) => !r.ok).map((r) => `${r.name}: ${r.failure}`),
  packets_sent: sum('packets_sent'),
  // frames the pacer skipped because this process ran too late to send them (see media.mjs)
  frames_skipped: sum('frames_skipped'),
  packets_received: sum('packets_received'),
  packets_expected: sum('packets_expected'),
  packets_lost: sum('packets_lost'),
  loss_fraction: sum('packets_expected') ? sum('packets_lost') / sum('packets_expected') : null,
  join_ms: { p50: percentile(rows.map((r) => r.join_ms), 0.5), p99: percentile(rows.map((r) => r.join_ms), 0.99) },
  server: {
    start: serverStart, end: serverEnd,
    cpu_seconds_per_consultation_minute: serverCpu !== null ? serverCpu / (n * windowSeconds / 60) : null,
  },
  loadgen: {
    cpu_seconds: loadgenCpuSeconds, cores, share_of_cores: loadgenCpuSeconds / (windowSeconds * cores),
    // Node runs the media on one thread: a core's worth of CPU is saturation.
    loadgen_saturated: loadgenCpuSeconds / windowSeconds > SATURATION_SHARE,
  },
  participants: rows,
};
if (opt.out) {
  writeFileSync(opt.out, JSON.stringify(result, null, 1) + '\n');
}
console.log(`target ${opt.target} (werift): ${n} consultations, ${windowSeconds.toFixed(1)} s window, ${failed.size} failed\n` +
  `packets sent ${result.packets_sent} received ${result.packets_received} lost ${result.packets_lost} ` +
  `(loss ${(100 * (result.loss_fraction ?? 0)).toFixed(3)} %)\n` +
  `server CPU ${result.server.cpu_seconds_per_consultation_minute?.toFixed(3) ?? 'n/a'} s per consultation-minute; ` +
  `werift CPU ${(100 * loadgenCpuSeconds / windowSeconds).toFixed(0)} % of one core, ${result.frames_skipped} frames skipped late${result.loadgen.loadgen_saturated ? ' SATURATED' : ''}`);
// werift keeps sockets and timers of closed connections alive: exit explicitly.
process.exit(failed.size ? 1 : 0);
