// Simulcast under a capped downlink (issue 12 item 3): Bob, in his own network namespace,
// receives Alice's top layer; his downlink is then capped at 500 kbit/s (tbf on the veth,
// this kernel has no netem) and within 10 s he receives a lower layer (his decoded
// frameHeight falls) while frames keep decoding. The SFU sees the cap through Bob's
// transport-cc feedback (docs/bandwidth-estimation.md) and, failing that, his receiver
// reports (sustained loss, sfu/layer_selector.hpp). Under the cap audio goes on
// (concealedSamples under 2 % of totalSamplesReceived); once the cap is removed Bob is
// back on the top layer within 20 s. The diagnostics give the times and the concealment
// share (docs/simulcast-figures.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BOB_IN_NETNS, netnsUnavailable, withNetnsCall } from '../support/netns-call.mjs';
import { waitFor } from '../support/server.mjs';
import { inboundVideo, outboundVideo } from '../support/video-stats.mjs';

const CAP_KBIT = 500;
const SWITCH_DOWN_WITHIN_MS = 10_000;
// The targets. Measured over 5 runs (docs/simulcast-figures.md): back up after
// 7.6-11.2 s (the selector's 10 s hold-off plus a keyframe), 0-0.13 % of audio concealed.
// Both were missed before the SFU stopped forwarding Chromium's RTX probe padding, which
// filled the capped link (up to 28 s and 5.9 %).
const SWITCH_UP_WITHIN_MS = 20_000;
const MAX_CONCEALED_SHARE = 0.02;
const CONCEALMENT_WINDOW_MS = 10_000;
const unavailable = await netnsUnavailable();

/** Bob's received audio: samples received and concealed (the receiver's jitter buffer). */
async function inboundAudio(page) {
  return page.evaluate(async () => {
    const out = { totalSamplesReceived: 0, concealedSamples: 0 };
    const report = await window.__medrtc.subscriber.getStats();
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') {
        out.totalSamplesReceived += s.totalSamplesReceived ?? 0;
        out.concealedSamples += s.concealedSamples ?? 0;
      }
    });
    return out;
  });
}

test('a subscriber whose downlink is capped drops to a lower layer within 10 s, audio goes on, and it is back on the top layer within 20 s of the cap\'s removal', { skip: unavailable ?? false, timeout: 120_000 }, async (t) => {
  await withNetnsCall(t, { participants: BOB_IN_NETNS }, async ({ pages: [alice, bob], cap, uncap }) => {
    let seen = null;
    const top = await waitFor(async () => {
      seen = await inboundVideo(bob);
      return seen.frameHeight >= 720 ? seen : null;
    }, { timeoutMs: 30_000, what: "Bob to decode Alice's top layer" }).catch((err) => {
      throw new Error(`${err.message} (Bob decodes ${JSON.stringify(seen)})`);
    });

    await cap(CAP_KBIT);
    const cappedAt = Date.now();
    const lower = await waitFor(async () => {
      const v = await inboundVideo(bob);
      return v.frameHeight > 0 && v.frameHeight < top.frameHeight ? v : null;
    }, { timeoutMs: SWITCH_DOWN_WITHIN_MS, intervalMs: 100, what: `Bob to receive a lower layer within ${SWITCH_DOWN_WITHIN_MS} ms of the cap` });
    const switchMs = Date.now() - cappedAt;
    t.diagnostic(`switched down to ${lower.frameHeight} px ${switchMs} ms after the cap`);
    // Frames keep decoding on the lower layer.
    await waitFor(async () => ((await inboundVideo(bob)).framesDecoded > lower.framesDecoded + 15 ? true : null), {
      timeoutMs: 10_000, what: 'Bob to keep decoding under the cap',
    });
    assert.ok(switchMs <= SWITCH_DOWN_WITHIN_MS);

    // Audio under the cap: the SFU sends audio first (sfu/send_priority.hpp) and the lower
    // layer leaves it room, so Bob's jitter buffer conceals almost nothing.
    const audio0 = await inboundAudio(bob);
    await new Promise((r) => setTimeout(r, CONCEALMENT_WINDOW_MS));
    const audio1 = await inboundAudio(bob);
    const received = audio1.totalSamplesReceived - audio0.totalSamplesReceived;
    const concealed = audio1.concealedSamples - audio0.concealedSamples;
    t.diagnostic(`audio under the cap: ${concealed} of ${received} samples concealed (${((concealed / received) * 100).toFixed(2)} %) in ${CONCEALMENT_WINDOW_MS} ms`);
    assert.ok(received > 0, 'no audio under the cap');
    assert.ok(concealed / received < MAX_CONCEALED_SHARE, `${concealed} of ${received} audio samples concealed under the cap`);

    // Cap removed: back up to the top layer Alice sends (one layer at a time, each after
    // the selector's 10 s hold-off, sfu/layer_selector.hpp). Her Chromium pauses its top
    // layer now and then on this busy machine; then the top is the tallest layer she is
    // encoding (frames rising), and the SFU owes Bob only that.
    await uncap();
    const uncappedAt = Date.now();
    let sentBefore = await outboundVideo(alice);
    let upTo = null;
    await waitFor(async () => {
      const [v, sent] = await Promise.all([inboundVideo(bob), outboundVideo(alice)]);
      const running = Object.entries(sent).filter(([rid, l]) => l.framesEncoded > (sentBefore[rid]?.framesEncoded ?? 0));
      sentBefore = sent;
      const aliceTop = Math.max(0, ...running.map(([, l]) => l.frameHeight));
      upTo = aliceTop;
      return aliceTop > lower.frameHeight && v.frameHeight >= aliceTop ? true : null;
    }, {
      timeoutMs: SWITCH_UP_WITHIN_MS + 10_000, intervalMs: 250, what: "Bob to be back on Alice's top layer after the cap's removal",
    });
    const upMs = Date.now() - uncappedAt;
    t.diagnostic(`switched back up to ${upTo} px ${upMs} ms after the cap's removal`);
    assert.ok(upMs <= SWITCH_UP_WITHIN_MS, `back on the top layer only ${upMs} ms after the cap's removal`);
  });
});
