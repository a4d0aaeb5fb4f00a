// The browser's address changes mid-call (issue 11 item 3): its namespace's end of the
// veth gets an address in another subnet and the old one is removed, as when a phone
// moves from Wi-Fi to mobile data. The media path and the signaling socket (a TCP
// connection from the old address) both break; the client notices the stall (ice-restart.ts:
// nothing received for 0.7 s after steady media), resumes its socket and restarts ICE on
// both connections; media must flow again, same participant id, no participant_left on the
// other side, and the client must have restarted ICE. The issue asks for media within 3 s:
// the median over CHANGES (MEDRTC_ADDRESS_CHANGES, default 3) is held to MEDIA_MEDIAN_MS.
// Where the time goes (docs/address-change.md): Chromium pairs from the new address only
// about 2.1 s after it appears (its network list is updated that late), then the check,
// nomination and the next key frame (asked for when the path changes) take 0.2-1.3 s.
// A single change may take up to MEDIA_EACH_MS: on the shared 2-core machine one change
// in five took 3.4-5.0 s; before the fix the first change of a call took 6-9 s.
// Time to media = the longest time either side's decoded video stood still after the
// change, measured in the page (tests/support/frame-gaps.mjs).
// MEDRTC_ADDRESS_TRACE=1 prints Bob's candidate pairs every 100 ms after each change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { participantId, waitForTileFrames } from '../support/call-page.mjs';
import { longestFrameGap, pageNow, startFrameSampler } from '../support/frame-gaps.mjs';
import { BOB_IN_NETNS, netnsUnavailable, withNetnsCall } from '../support/netns-call.mjs';

const MEDIA_MEDIAN_MS = 3_000;
const MEDIA_EACH_MS = 6_000;
const SETTLE_MS = MEDIA_EACH_MS + 1_000; // watched after each change
const CHANGES = Number(process.env.MEDRTC_ADDRESS_CHANGES ?? 3);
// Milliseconds both addresses are up before the old one goes (netns.mjs changeAddress);
// 0 (default): break before make, the old address is removed at once.
const OVERLAP_MS = Number(process.env.MEDRTC_ADDRESS_OVERLAP_MS ?? 0);
const unavailable = await netnsUnavailable();
// MEDRTC_ADDRESS_TRACE=1: print, per change, Bob's connections' states and candidate pairs
// every 100 ms (when they changed) and his console: where the time after a change goes.
const TRACE = process.env.MEDRTC_ADDRESS_TRACE === '1';

async function startTrace(page) {
  await page.evaluate(() => {
    const lines = [];
    const pcs = () => [['pub', window.__medrtc.publisher], ['sub', window.__medrtc.subscriber]];
    window.__trace = { lines, timer: setInterval(async () => {
      const parts = [];
      for (const [name, pc] of pcs()) {
        if (!pc) continue;
        const stats = await pc.getStats();
        let pair = null;
        let local = {};
        let bytes = 0;
        stats.forEach((s) => {
          if (s.type === 'transport') { bytes += s.bytesReceived; pair = stats.get(s.selectedCandidatePairId); }
          if (s.type === 'local-candidate') local[s.id] = `${s.address}:${s.port}/${s.protocol}`;
        });
        const pairs = [];
        stats.forEach((s) => { if (s.type === 'candidate-pair') pairs.push(`${local[s.localCandidateId] ?? '?'} ${s.state}${s.nominated ? ' N' : ''} req${s.requestsSent}/resp${s.responsesReceived}`); });
        parts.push(`${name} ${pc.connectionState}/${pc.iceConnectionState}/${pc.iceGatheringState} rx${bytes} sel=${pair ? local[pair.localCandidateId] : '-'} [${pairs.join('; ')}]`);
      }
      lines.push(`${Math.round(performance.now())} ${parts.join(' || ')}`);
    }, 100) };
  });
}

async function stopTrace(page, since) {
  const lines = await page.evaluate(() => { clearInterval(window.__trace.timer); return window.__trace.lines; });
  let last = '';
  const out = [];
  for (const line of lines) {
    const [at, ...rest] = line.split(' ');
    const body = rest.join(' ').replace(/rx\d+/g, 'rx');
    if (body !== last) out.push(`${Number(at) - Math.round(since)} ${rest.join(' ')}`);
    last = body;
  }
  return out.join('\n');
}

test('media resumes after an address change by an ICE restart, same participant, no leave', { skip: unavailable ?? false, timeout: 60_000 + CHANGES * 20_000 }, async (t) => {
  await withNetnsCall(t, { participants: BOB_IN_NETNS }, async ({ pages: [alice, bob], server, netns }) => {
    const bobId = await participantId(bob);
    const logBefore = server.logs().length;
    if (TRACE) {
      const sdp = await bob.evaluate(() => [window.__medrtc.publisher.localDescription.sdp, window.__medrtc.publisher.remoteDescription.sdp]);
      t.diagnostic(`Bob's publish offer/answer:\n${sdp.map((x) => x.split('\r\n').filter((l) => /^m=|extmap|simulcast|rid|ice-lite|candidate/.test(l)).join('\n')).join('\n---\n')}`);
    }

    const times = [];
    for (let i = 0; i < CHANGES; i += 1) {
      await Promise.all([startFrameSampler(alice), startFrameSampler(bob)]);
      await new Promise((r) => setTimeout(r, 500));
      const consoleFrom = bob.consoleMessages.length;
      const address = await netns.changeAddress({ overlapMs: OVERLAP_MS });
      // Measured from the old address's removal (changeAddress returns right after it).
      const [aliceAt, bobAt] = await Promise.all([pageNow(alice), pageNow(bob)]);
      if (TRACE) {
        await startTrace(bob);
      }
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      if (TRACE) {
        t.diagnostic(`change ${i + 1} trace (ms after the removal):\n${await stopTrace(bob, bobAt)}\nconsole:\n${bob.consoleMessages.slice(consoleFrom).join('\n')}`);
      }
      const [aliceGap, bobGap] = await Promise.all([longestFrameGap(alice, { since: aliceAt }), longestFrameGap(bob, { since: bobAt })]);
      const ms = Math.round(Math.max(aliceGap, bobGap));
      times.push(ms);
      const [restarts, resumes] = await bob.evaluate(() => [window.__medrtc.iceRestarts, window.__medrtc.resumes]);
      t.diagnostic(`change ${i + 1} (to ${address}): video stood still ${Math.round(aliceGap)} ms (Alice, of Bob) and ${Math.round(bobGap)} ms (Bob); Bob's ICE restarts so far ${restarts}, resumes ${resumes}`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    t.diagnostic(`time to media after an address change: median ${median} ms over ${times.length}: ${times.join(', ')}`);
    assert.ok(median <= MEDIA_MEDIAN_MS, `media came back a median ${median} ms after an address change (limit ${MEDIA_MEDIAN_MS} ms)`);
    for (const ms of times) {
      assert.ok(ms <= MEDIA_EACH_MS, `media came back ${ms} ms after an address change (limit ${MEDIA_EACH_MS} ms)`);
    }
    assert.ok(await bob.evaluate(() => window.__medrtc.iceRestarts) >= CHANGES, 'the client did not restart ICE on every change');

    assert.equal(await participantId(bob), bobId, 'Bob came back under another participant id');
    assert.equal(await bob.evaluate(() => window.__medrtc.state), 'in_call');
    await waitForTileFrames(alice, bobId);
    assert.equal(await alice.locator('figure.tile.remote').count(), 1);
    assert.doesNotMatch(server.logs().slice(logBefore), /participant_left/, 'Alice was told Bob left');
  });
});
