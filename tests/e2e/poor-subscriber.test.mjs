// A 3-party call with one poor subscriber (issue 12, "How to test it here"): Alice and Bob
// on the host's network, Carol in her own namespace whose downlink is then capped at
// 500 kbit/s (tbf). Carol drops to a lower layer (the SFU reads her receiver reports,
// sfu/layer_selector.hpp); Alice and Bob are unaffected: each keeps decoding the other's
// top layer at its frame rate (>= 90 % of the frames sent on that layer arrive, getStats()
// over the same window) while Carol is capped, whenever the publisher's own top layer is
// steady (Chromium pauses it now and then on this busy machine; see decodedShare in
// tests/support/video-stats.mjs). The SFU chooses layers per subscriber, so one
// subscriber's bad link must never lower what the others get.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { participantId, waitForTileFrames } from '../support/call-page.mjs';
import { netnsUnavailable, withNetnsCall } from '../support/netns-call.mjs';
import { waitFor } from '../support/server.mjs';
import { decodedShare, inboundVideo, outboundVideo } from '../support/video-stats.mjs';

const CAP_KBIT = 500;
const WINDOW_MS = 20_000;
// At least 5 s of the window (intervals of 0.5 s) with the publisher's top layer steady.
const MIN_STEADY_INTERVALS = 10;
// Frames received complete (getStats framesReceived) over those sent on the layer: what
// the SFU delivers. framesDecoded is reported too, but three Chromiums encoding and
// decoding 720p on this shared 2-core machine drop decoded frames for want of CPU
// (framesDropped) with every frame delivered, before any cap as much as under it.
const MIN_RECEIVED_SHARE = 0.9;
const unavailable = await netnsUnavailable();

// Alice and Bob in the root namespace (one Chromium), Carol in her own; the server listens
// on both sides of the veth.
const CALL = {
  participants: [
    { identity: 'alice', name: 'Alice', role: 'host' },
    { identity: 'bob', name: 'Bob' },
    { identity: 'carol', name: 'Carol', netns: 'carol' },
  ],
};

/**
 * Waits until `page` decodes `fromId`'s video at the height of `sender`'s top layer while
 * the sender is encoding it (Chromium enables its top layer only once its own estimate
 * allows, a few seconds into the call).
 */
async function waitForTopLayer(page, fromId, sender, what) {
  let seen = null;
  let before = await outboundVideo(sender);
  return waitFor(async () => {
    const [got, sent] = await Promise.all([inboundVideo(page, fromId), outboundVideo(sender)]);
    const top = Object.entries(sent).sort(([, a], [, b]) => b.frameHeight - a.frameHeight)[0];
    const rising = top && top[1].framesEncoded > (before[top[0]]?.framesEncoded ?? 0);
    seen = { got, sent };
    before = sent;
    return rising && top[1].frameHeight > 0 && got.frameHeight >= top[1].frameHeight ? got : null;
  }, { timeoutMs: 60_000, intervalMs: 1_000, what }).catch((err) => {
    throw new Error(`${err.message} (${JSON.stringify(seen)})`);
  });
}

const describe = (m) => `steady ${m.steady.intervals} intervals: received ${m.steady.received} of ${m.steady.encoded} (${(m.steady.receivedShare * 100).toFixed(1)} %), decoded ${m.steady.decoded} (${(m.steady.share * 100).toFixed(1)} %), `
  + `${m.steady.offTop} off the top layer; all: layers ${m.heights.join(',')}, decoded ${m.decoded} of ${m.encoded} sent (${(m.share * 100).toFixed(1)} %), `
  + `received ${m.last.got.framesReceived - m.first.got.framesReceived}, dropped ${m.last.got.framesDropped - m.first.got.framesDropped}, `
  + `lost ${m.last.got.packetsLost - m.first.got.packetsLost}, nacks ${m.last.got.nackCount - m.first.got.nackCount}, `
  + `plis ${m.last.got.pliCount - m.first.got.pliCount}, sender ${JSON.stringify(Object.fromEntries(Object.entries(m.last.sent).map(([r, l]) => [r, { key: l.keyFramesEncoded - (m.first.sent[r]?.keyFramesEncoded ?? 0), pli: l.pliCount - (m.first.sent[r]?.pliCount ?? 0), enc: l.framesEncoded - (m.first.sent[r]?.framesEncoded ?? 0), sent: l.framesSent - (m.first.sent[r]?.framesSent ?? 0), lim: l.limitation }])))}, freezes ${m.last.got.freezeCount - m.first.got.freezeCount}; trace ${m.trace.join(' ')}`;

test('3-party call: one subscriber capped at 500 kbit/s drops a layer, the other two keep the top layer and their frame rate', {
  skip: unavailable ?? false,
  timeout: 240_000,
}, async (t) => {
  await withNetnsCall(t, CALL, async ({ pages: [alice, bob, carol], cap }) => {
    const [aliceId, bobId, carolId] = await Promise.all([alice, bob, carol].map(participantId));
    await Promise.all([
      waitForTileFrames(alice, bobId), waitForTileFrames(bob, aliceId),
      waitForTileFrames(carol, aliceId), waitForTileFrames(carol, bobId),
    ]);
    const aliceSeesBob = await waitForTopLayer(alice, bobId, bob, "Alice to decode Bob's top layer");
    await waitForTopLayer(bob, aliceId, alice, "Bob to decode Alice's top layer");
    t.diagnostic(`before the cap: alice decodes bob at ${aliceSeesBob.frameHeight} px`);
    // The same measure before the cap, for comparison in the diagnostics.
    const [aliceBefore, bobBefore] = await Promise.all([
      decodedShare(bob, alice, { windowMs: 10_000, fromId: bobId }),
      decodedShare(alice, bob, { windowMs: 10_000, fromId: aliceId }),
    ]);
    t.diagnostic(`before: alice (of bob): ${describe(aliceBefore)}`);
    t.diagnostic(`before: bob (of alice): ${describe(bobBefore)}`);

    await cap(CAP_KBIT);
    // Carol is the poor subscriber: the SFU sends her a lower layer of someone.
    let carolSeen = null;  // what Carol decoded last, for the message when she never goes down
    const carolLower = await waitFor(async () => {
      const [a, b] = await Promise.all([inboundVideo(carol, aliceId), inboundVideo(carol, bobId)]);
      carolSeen = { alice: a, bob: b };
      return (a.frameHeight > 0 && a.frameHeight < aliceSeesBob.frameHeight)
        || (b.frameHeight > 0 && b.frameHeight < aliceSeesBob.frameHeight) ? { alice: a.frameHeight, bob: b.frameHeight } : null;
    }, { timeoutMs: 15_000, intervalMs: 250, what: 'Carol to receive a lower layer under the cap' }).catch((err) => {
      throw new Error(`${err.message}; Carol decoded ${JSON.stringify(carolSeen)}; top ${aliceSeesBob.frameHeight} px`);
    });
    t.diagnostic(`carol under the cap receives alice at ${carolLower.alice} px, bob at ${carolLower.bob} px`);

    // While Carol stays capped, Alice and Bob keep each other's top layer and frame rate.
    const [aliceOfBob, bobOfAlice] = await Promise.all([
      decodedShare(bob, alice, { windowMs: WINDOW_MS, fromId: bobId }),
      decodedShare(alice, bob, { windowMs: WINDOW_MS, fromId: aliceId }),
    ]);
    const carolNow = await Promise.all([inboundVideo(carol, aliceId), inboundVideo(carol, bobId)]);
    t.diagnostic(`capped: alice (of bob): ${describe(aliceOfBob)}`);
    t.diagnostic(`capped: bob (of alice): ${describe(bobOfAlice)}`);
    t.diagnostic(`carol at the end: alice ${carolNow[0].frameHeight} px, bob ${carolNow[1].frameHeight} px`);
    // Judged on the intervals in which the publisher's own top layer was steady (see
    // decodedShare): there the SFU owes each of them that layer at its frame rate. One
    // interval off the top is the keyframe wait of a switch.
    for (const [who, m] of [['Alice', aliceOfBob], ['Bob', bobOfAlice]]) {
      assert.ok(m.steady.intervals >= MIN_STEADY_INTERVALS, `${who}: the publisher's top layer was steady for only ${m.steady.intervals} intervals`);
      assert.ok(m.steady.offTop <= 1, `${who} left the top layer while Carol was capped (${m.steady.offTop} intervals)`);
      assert.ok(m.steady.receivedShare >= MIN_RECEIVED_SHARE, `${who} received ${m.steady.received} of ${m.steady.encoded} frames (${(m.steady.receivedShare * 100).toFixed(1)} %)`);
    }
  });
});
