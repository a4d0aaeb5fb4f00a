// Downstream bandwidth estimation below the lowest layer (issue 12 item 4): Bob, in his own
// network namespace, receives Alice's video and audio; his downlink is capped at 60 kbit/s
// (tbf on the veth). The SFU's send-side estimate (transport-cc feedback from Bob's
// browser) falls below what the lowest simulcast layer needs, so Bob's video pauses while
// his audio keeps arriving; the cap removed, the estimate recovers (probing) and the video
// resumes by itself. docs/bandwidth-estimation.md has the rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundStats } from '../support/call-page.mjs';
import { BOB_IN_NETNS, netnsUnavailable, withNetnsCall } from '../support/netns-call.mjs';
import { waitFor } from '../support/server.mjs';

const CAP_KBIT = 60;
const PAUSE_WITHIN_MS = 25_000;
const RESUME_WITHIN_MS = 40_000;
const STILL_MS = 3_000; // no frame decoded for this long: paused
const unavailable = await netnsUnavailable();

// The estimator is on by default (serve --no-bandwidth-estimation turns it off).
const CALL = { participants: BOB_IN_NETNS };

test('at 60 kbit/s video pauses and audio continues; uncapped, video resumes', { skip: unavailable ?? false, timeout: 180_000 }, async (t) => {
  await withNetnsCall(t, CALL, async ({ pages: [, bob], server, cap, uncap }) => {
    await cap(CAP_KBIT);
    const cappedAt = Date.now();
    // Paused: no frame decoded for STILL_MS, while audio packets keep arriving.
    let window = await inboundStats(bob);
    let windowStart = Date.now();
    const paused = await waitFor(async () => {
      const now = await inboundStats(bob);
      if (now.video.framesDecoded !== window.video.framesDecoded) {
        window = now;
        windowStart = Date.now();
        return null;
      }
      return Date.now() - windowStart >= STILL_MS ? { stats: now, since: windowStart } : null;
    }, { timeoutMs: PAUSE_WITHIN_MS, intervalMs: 250, what: `Bob's video to pause within ${PAUSE_WITHIN_MS} ms of a ${CAP_KBIT} kbit/s cap` });
    t.diagnostic(`video paused ${paused.since - cappedAt} ms after the cap`);
    // The SFU paused it (not merely a starved link): its allocation says so.
    await waitFor(async () => (/media_bandwidth_allocation [^\n]*paused=true/.test(server.logs()) ? true : null), {
      timeoutMs: 5_000, what: 'the SFU to log the pause of Bob\'s video',
    });
    // Audio continues under the cap.
    await waitFor(async () => {
      const now = await inboundStats(bob);
      return now.audio.packetsReceived >= paused.stats.audio.packetsReceived + 50 ? now : null;
    }, { timeoutMs: 5_000, what: 'Bob to keep receiving audio while his video is paused' });
    assert.ok((await inboundStats(bob)).video.framesDecoded <= paused.stats.video.framesDecoded + 2,
      'video stays paused under the cap');

    await uncap();
    const uncappedAt = Date.now();
    const resumed = await waitFor(async () => {
      const now = await inboundStats(bob);
      return now.video.framesDecoded > paused.stats.video.framesDecoded + 30 ? now : null;
    }, { timeoutMs: RESUME_WITHIN_MS, intervalMs: 250, what: `Bob's video to resume within ${RESUME_WITHIN_MS} ms of the cap's removal` });
    t.diagnostic(`video resumed (30 frames decoded) ${Date.now() - uncappedAt} ms after the cap was removed`);
    assert.ok(resumed.audio.packetsReceived > paused.stats.audio.packetsReceived);
    const allocations = server.logs().split('\n').filter((l) => l.includes('media_bandwidth_allocation'));
    assert.match(allocations.at(-1) ?? '', /paused=false/, 'the last allocation resumed the video');
  });
});
