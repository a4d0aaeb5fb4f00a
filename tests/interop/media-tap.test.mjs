// The SFU test tap (medrtc-tap, docs/e2ee.md): it records what the SFU forwards, payload
// for payload, so the E2EE browser tests can show those payloads are ciphertext. Here, in
// a call without E2EE, the tap must show the werift peers' synthetic payloads (each ends
// with its sender's marker) exactly as they were sent; and the production binary records
// nothing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readTap, tapBinary } from '../support/media-tap.mjs';
import { createRoom, createToken, startServer, wsUrl } from '../support/server.mjs';
import { closeAll, expectMediaFrom } from './harness.mjs';
import { parseMarker } from './synthetic-media.mjs';
import { joinRoom } from './werift-peer.mjs';

async function twoPartyCall(server) {
  const roomId = await createRoom(server);
  const [ta, tb] = await Promise.all([
    createToken(server, roomId, { identity: 'tap-host', name: 'Host', role: 'host' }),
    createToken(server, roomId, { identity: 'tap-guest', name: 'Guest', role: 'guest' }),
  ]);
  const a = await joinRoom({ wsUrl: wsUrl(server), token: ta.token });
  const b = await joinRoom({ wsUrl: wsUrl(server), token: tb.token });
  return [a, b];
}

test('medrtc-tap records every forwarded payload as it was sent', { timeout: 90000 }, async () => {
  assert.ok(existsSync(tapBinary()), `${tapBinary()} is missing: cmake --build build --target medrtc-tap`);
  const dir = await mkdtemp(path.join(tmpdir(), 'medrtc-tap-'));
  const server = await startServer({ bin: tapBinary(), env: { MEDRTC_TEST_TAP_DIR: dir } });
  let peers = [];
  try {
    peers = await twoPartyCall(server);
    const [a, b] = peers;
    await expectMediaFrom(b, a, { min: 50 });
    await expectMediaFrom(a, b, { min: 50 });
    const records = await readTap(dir);
    const byMarker = new Map();
    for (const r of records) {
      const m = parseMarker(r.payload);
      assert.ok(m, `a tapped payload without a sender's marker: ssrc ${r.ssrc} seq ${r.seq} pt ${r.payloadType}`);
      const key = `${m.markerId}/${m.kind}`;
      byMarker.set(key, (byMarker.get(key) ?? 0) + 1);
    }
    for (const sender of [a, b]) {
      for (const kind of ['audio', 'video']) {
        // At least what the other side received from it went through the tap.
        const received = (sender === a ? b : a).packetsFrom(sender.participantId, kind);
        assert.ok((byMarker.get(`${sender.markerId}/${kind}`) ?? 0) >= Math.min(received, 50),
          `${kind} of ${sender.participantId}: tapped ${byMarker.get(`${sender.markerId}/${kind}`)}, received ${received}`);
      }
    }
    // One file per forwarded SSRC (two senders × audio and video), times from the start.
    const ssrcs = new Set(records.map((r) => r.ssrc));
    assert.equal(ssrcs.size, 4, `SSRCs ${[...ssrcs]}`);
    assert.deepEqual((await readdir(dir)).sort(), [...ssrcs].map((s) => `${s}.tap`).sort());
    const video = records.filter((r) => parseMarker(r.payload).kind === 'video');
    assert.ok(video.some((r) => r.marker), 'the RTP marker bit of a frame\'s last packet is kept');
    assert.ok(records.every((r) => Number.isInteger(r.ms) && r.ms >= 0 && r.ms < 90000));
  } finally {
    await closeAll(peers);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the production medrtc has no tap: MEDRTC_TEST_TAP_DIR records nothing', { timeout: 90000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'medrtc-notap-'));
  const server = await startServer({ env: { MEDRTC_TEST_TAP_DIR: dir } });
  let peers = [];
  try {
    peers = await twoPartyCall(server);
    await expectMediaFrom(peers[1], peers[0], { min: 30 });
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await closeAll(peers);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
