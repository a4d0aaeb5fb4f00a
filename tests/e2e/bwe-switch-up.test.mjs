// Downstream bandwidth estimation, both directions (issue 12 item 4): Bob, in his own
// network namespace, decodes Alice's top layer; his downlink is capped at 500 kbit/s (tbf)
// and the SFU's send-side estimate moves him to a lower layer; the cap removed, probing
// finds the capacity again and, after the allocator's 10 s hold-off, he is back on the top
// layer within 20 s. Both times are printed as diagnostics (docs/bandwidth-estimation.md
// gives the median of 5 runs).
//
// "The top layer" after the cap is the tallest encoding Alice's Chromium is sending then,
// read from her own getStats (outbound-rtp per RID: frames encoded rising, frameHeight,
// active), and it must be above the layer Bob had under the cap. A Chromium starved of CPU
// may stop its 720p encoding or send it smaller (qualityLimitationReason "cpu"); the SFU
// can forward only what arrives and waits 2 s after a layer starts before it switches to
// it, so the 20 s run from the later of the cap's removal and the moment that encoding
// started running. In 65 traced runs here (2026-12-05) Alice's Chromium never did that
// (720p, "none", every run); the failures were the SFU's (docs/bandwidth-estimation.md
// "Switching back up"): a probe that stopped short of the top layer's need, and VP8 frame
// numbers not carried on across a switch. The trace printed after the cap's removal shows
// which: Bob's decoded height, frames, bit rate and keyframes, Alice's encodings, the
// SFU's allocations and PLI counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BOB_IN_NETNS, netnsUnavailable, withNetnsCall } from '../support/netns-call.mjs';
import { waitFor } from '../support/server.mjs';
import { inboundVideo, waitForPublishersTop } from '../support/video-stats.mjs';

const CAP_KBIT = 500;
const SWITCH_DOWN_WITHIN_MS = 10_000;
const SWITCH_UP_WITHIN_MS = 20_000;
const CAPPED_FOR_MS = 12_000; // long enough for the hold-off after the downgrade to pass
// How long the test waits, after the cap's removal, for Alice's Chromium to send a layer
// above Bob's capped one and for Bob to get it (the 20 s are checked separately).
const WAIT_FOR_TOP_MS = 60_000;
const unavailable = await netnsUnavailable();

// The estimator is on by default (serve --no-bandwidth-estimation turns it off).
// The metrics listener: the SFU's PLI and drop counters go into the diagnostics.
const CALL = { participants: BOB_IN_NETNS, server: { args: ['--metrics-listen', '127.0.0.1:0'] } };

/** The SFU's counters that tell a layer switch that waits (PLIs, drops by reason). */
async function switchCounters(server) {
  const open = /metrics_listening address=127\.0\.0\.1 port=(\d+)/.exec(server.logs());
  if (!open) {
    return '(no metrics listener)';
  }
  const text = await (await fetch(`http://127.0.0.1:${open[1]}/metrics`)).text();
  return text.split('\n').filter((line) => /^medrtc_media_(plis_(sent|received)|rtp_dropped|video_pauses)_total/.test(line)).join('\n');
}

test('capped at 500 kbit/s a subscriber goes down a layer; uncapped, back to the top within 20 s', { skip: unavailable ?? false, timeout: 180_000 }, async (t) => {
  await withNetnsCall(t, CALL, async ({ server, pages: [alice, bob], cap, uncap }) => {
    const top = await waitFor(async () => {
      const v = await inboundVideo(bob);
      return v.frameHeight >= 720 ? v : null;
    }, { timeoutMs: 30_000, what: "Bob to decode Alice's top layer" });

    await cap(CAP_KBIT);
    const cappedAt = Date.now();
    const lower = await waitFor(async () => {
      const v = await inboundVideo(bob);
      return v.frameHeight > 0 && v.frameHeight < top.frameHeight ? v : null;
    }, { timeoutMs: SWITCH_DOWN_WITHIN_MS, intervalMs: 100, what: 'Bob to receive a lower layer under the cap' });
    const downMs = Date.now() - cappedAt;
    t.diagnostic(`switch_down_ms=${downMs}`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CAPPED_FOR_MS - downMs)));
    const under = await inboundVideo(bob);
    assert.ok(under.frameHeight < top.frameHeight, `still below the top layer under the cap (${under.frameHeight} px)`);
    const cappedHeight = Math.min(lower.frameHeight, under.frameHeight);

    const logMark = server.logs().length;
    await uncap();
    const uncappedAt = Date.now();
    const reached = await waitForPublishersTop(alice, bob, {
      aboveHeight: cappedHeight,
      from: uncappedAt,
      timeoutMs: WAIT_FOR_TOP_MS,
      onTrace: (trace) => {
        t.diagnostic(`after the cap's removal, each second: Bob's decoded height+frames, PLIs, lost; Alice's encodings: height+frames, keyframes, PLIs (qualityLimitationReason):\n${trace.join('\n')}`);
        const allocations = server.logs().slice(logMark).split('\n').filter((line) => line.includes('media_bandwidth_allocation'));
        t.diagnostic(`SFU allocations after the cap's removal:\n${allocations.join('\n')}`);
      },
    }).finally(async () => t.diagnostic(`SFU counters:\n${await switchCounters(server).catch((err) => err.message)}`));
    const upMs = reached.at - uncappedAt;
    const owedMs = reached.at - Math.max(uncappedAt, reached.since);
    t.diagnostic(`switch_up_ms=${upMs} owed_ms=${owedMs} layer=${reached.rid}:${reached.frameHeight} limitation=${reached.limitation}`);
    if (reached.frameHeight < top.frameHeight) {
      t.diagnostic(`Alice's Chromium sent its tallest encoding at ${reached.frameHeight} px, not ${top.frameHeight} (qualityLimitationReason ${reached.limitation})`);
    }
    assert.ok(owedMs <= SWITCH_UP_WITHIN_MS, `Bob reached Alice's ${reached.rid} layer ${owedMs} ms after both the cap's removal and that layer running`);
  });
});
