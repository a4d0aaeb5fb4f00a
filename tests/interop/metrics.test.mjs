// GET /metrics during a real call of two werift peers (docs/operations.md): the figures
// move with the media, the token guards the main listener, --metrics-listen needs none,
// and no name, identity, room id or participant id appears in a scrape.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createRoom, createToken, startServer, wsUrl } from '../support/server.mjs';
import { closeAll, expectMediaFrom, expectStillReceiving } from './harness.mjs';
import { joinRoom } from './werift-peer.mjs';
import { waitFor } from './wait.mjs';

let server;
let tokenDir;
const metricsToken = randomBytes(24).toString('hex');

before(async () => {
  tokenDir = await mkdtemp(path.join(tmpdir(), 'medrtc-metrics-'));
  const tokenFile = path.join(tokenDir, 'metrics.token');
  await writeFile(tokenFile, `${metricsToken}\n`, { mode: 0o600 });
  server = await startServer({
    workers: 2,
    args: ['--metrics-token-file', tokenFile, '--metrics-listen', '127.0.0.1:0'],
  });
});

after(async () => {
  await server?.stop();
  if (tokenDir) {
    await rm(tokenDir, { recursive: true, force: true });
  }
});

async function scrape(headers = { authorization: `Bearer ${metricsToken}` }) {
  const res = await fetch(`${server.baseUrl}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** Sum of every sample of `name` (any labels); 0 when absent. */
function total(text, name) {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) {
      sum += Number(m[3]);
    }
  }
  return sum;
}

function value(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('/metrics: figures move during a call and name nobody', { timeout: 90000 }, async () => {
  const unauthorized = await scrape({});
  assert.equal(unauthorized.status, 401);
  const wrong = await scrape({ authorization: `Bearer ${server.apiKey}` });
  assert.equal(wrong.status, 401, 'an API key is not the metrics token');

  const idle = await scrape();
  assert.equal(idle.status, 200);
  assert.match(idle.type, /^text\/plain; version=0\.0\.4/);
  assert.match(idle.text, /^# TYPE medrtc_media_packets_received_total counter$/m);
  assert.match(idle.text, /^medrtc_worker_cpu_seconds_total\{worker="1"\} /m, 'one series per worker');

  const roomId = await createRoom(server);
  const names = { host: 'Quorvex Hostname metrics', guest: 'Zyxwvut Patientname metrics' };
  const [ta, tb] = await Promise.all([
    createToken(server, roomId, { identity: 'host-metrics-identity', name: names.host, role: 'host' }),
    createToken(server, roomId, { identity: 'guest-metrics-identity', name: names.guest, role: 'guest' }),
  ]);
  const a = await joinRoom({ wsUrl: wsUrl(server), token: ta.token });
  const b = await joinRoom({ wsUrl: wsUrl(server), token: tb.token });
  try {
    await Promise.all([expectMediaFrom(a, b), expectMediaFrom(b, a)]);
    const during = await scrape();
    assert.equal(value(during.text, 'medrtc_participants'), 2, during.text);
    assert.equal(value(during.text, 'medrtc_rooms'), 1);
    assert.ok(total(during.text, 'medrtc_joins_total') >= 2);
    assert.ok(total(during.text, 'medrtc_join_duration_seconds_count') >= 2);
    for (const name of ['medrtc_media_packets_received_total', 'medrtc_media_packets_sent_total',
      'medrtc_media_received_bytes_total', 'medrtc_media_sent_bytes_total']) {
      assert.ok(total(during.text, name) > total(idle.text, name), `${name} grew during the call`);
    }

    await Promise.all([expectStillReceiving(a, b), expectStillReceiving(b, a)]);
    // Counters only grow; the next scrape shows more packets both ways.
    await waitFor(async () => {
      const later = await scrape();
      return total(later.text, 'medrtc_media_packets_received_total') > total(during.text, 'medrtc_media_packets_received_total') &&
        total(later.text, 'medrtc_media_packets_sent_total') > total(during.text, 'medrtc_media_packets_sent_total');
    }, { timeout: 10000, message: () => 'packet counters grew between two scrapes' });

    const open = /metrics_listening address=127\.0\.0\.1 port=(\d+)/.exec(server.logs());
    assert.ok(open, `the --metrics-listen address is logged:\n${server.logs().slice(-2000)}`);
    const separate = await fetch(`http://127.0.0.1:${open[1]}/metrics`);
    assert.equal(separate.status, 200, '--metrics-listen needs no token');
    const separateText = await separate.text();
    assert.equal(value(separateText, 'medrtc_participants'), 2);

    for (const text of [during.text, separateText]) {
      for (const personal of [names.host, names.guest, 'Quorvex', 'Zyxwvut', 'host-metrics-identity',
        'guest-metrics-identity', roomId, a.participantId, b.participantId]) {
        assert.ok(!text.includes(personal), `/metrics shows ${personal}`);
      }
      for (const line of text.split('\n').filter((l) => l.includes('{'))) {
        const labels = /\{([^}]*)\}/.exec(line)[1].split(',').map((kv) => kv.split('=')[0]);
        for (const label of labels) {
          assert.ok(['worker', 'outcome', 'action', 'backend', 'le', 'reason'].includes(label), `unexpected label ${label} in ${line}`);
        }
      }
    }
  } finally {
    await closeAll([a, b]);
  }
  await waitFor(async () => value((await scrape()).text, 'medrtc_participants') === 0,
    { timeout: 10000, message: () => 'participants gauge back to 0 after both left' });
});
