// Simulcast from a second browser engine (issue 12): Debian's Firefox ESR publishes the web
// client's three RID encodings (sendEncodings with rid and scaleResolutionDownBy,
// web/src/call/publisher.ts; Firefox writes its own SDP for them: a=rid/a=simulcast plus an
// a=ssrc line per encoding, which Chromium leaves out) and a Chromium subscriber in its own
// network namespace decodes the top one; his downlink capped at 500 kbit/s (tbf), the SFU
// moves him to a lower layer; the cap removed, he is back on the tallest layer Firefox sends
// within 20 s of the cap's removal and that layer running (as bwe-switch-up.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinCall, waitForRemoteMedia } from '../support/call-page.mjs';
import { joinCallFirefox, launchFirefox } from '../support/firefox.mjs';
import { netnsUnavailable, startNetnsCall } from '../support/netns-call.mjs';
import { createRoom, waitFor } from '../support/server.mjs';
import { PublisherEncodings, inboundVideo, waitForPublishersTop } from '../support/video-stats.mjs';

const CAP_KBIT = 500;
const SWITCH_DOWN_WITHIN_MS = 10_000;
const SWITCH_UP_WITHIN_MS = 20_000;
const CAPPED_FOR_MS = 12_000; // past the allocator's 10 s no-upgrade hold-off
const WAIT_FOR_TOP_MS = 60_000;
const unavailable = await netnsUnavailable();

/** The simulcast lines of the video m-section of the page's publisher offer. */
async function publishedSimulcastLines(page) {
  return page.evaluate(() => {
    const sdp = window.__medrtc.publisher.localDescription?.sdp ?? '';
    const video = sdp.split(/\r\n(?=m=)/).find((section) => section.startsWith('m=video')) ?? '';
    return video.split('\r\n').filter((line) => /^a=(rid|simulcast|ssrc|ssrc-group):/.test(line));
  });
}

test('Firefox publishes three simulcast layers; a capped Chromium subscriber drops to a lower one and returns to the top', { skip: unavailable ?? false, timeout: 240_000 }, async (t) => {
  // Bob's Chromium in namespace 'bob'; Alice is Firefox in the root namespace, joined here.
  const call = await startNetnsCall(t, { namespaces: { bob: {} } });
  const firefox = await launchFirefox();
  t.after(() => firefox.close());
  try {
    const port = new URL(call.server.baseUrl).port;
    // The server listens on every address: Alice reaches it on loopback, Bob on his veth.
    const aliceSide = { ...call.server, baseUrl: `http://127.0.0.1:${port}` };
    const bobSide = { ...call.server, baseUrl: `http://${call.netns.rootIp}:${port}` };
    call.roomId = await createRoom(aliceSide);
    const alice = await joinCallFirefox(firefox, aliceSide, call.roomId, { identity: 'alice', name: 'Alice', role: 'host' });
    call.pages.push(alice);
    const bob = await joinCall(call.browsers.bob, bobSide, call.roomId, { identity: 'bob', name: 'Bob' });
    call.pages.push(bob);
    await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);

    const lines = await publishedSimulcastLines(alice);
    t.diagnostic(`Firefox's publish offer (video):\n${lines.join('\n')}`);
    assert.ok(lines.some((l) => /^a=simulcast:send /.test(l)), 'Firefox offered no a=simulcast');

    // Firefox encodes three layers, each smaller than the one above.
    const encodings = new PublisherEncodings(alice);
    const layers = await waitFor(async () => {
      const now = Date.now();
      await encodings.sample(now);
      const { q, h, f } = encodings.sent;
      const running = encodings.running(now);
      return ['q', 'h', 'f'].every((rid) => running.includes(rid)) && q.frameHeight > 0 && q.frameHeight < h.frameHeight && h.frameHeight < f.frameHeight ? encodings.sent : null;
    }, { timeoutMs: 30_000, intervalMs: 500, what: 'Firefox to encode three simulcast layers q < h < f' });
    t.diagnostic(`Firefox's layers: ${encodings.describe(null)}`);

    // Bob decodes the top one (the SFU gives a 1:1 subscriber the top layer at once).
    const top = await waitFor(async () => {
      const v = await inboundVideo(bob);
      return v.frameHeight >= layers.f.frameHeight ? v : null;
    }, { timeoutMs: 30_000, what: "Bob to decode Firefox's top layer" });
    t.diagnostic(`Bob decodes ${top.frameHeight} px`);

    await call.cap(CAP_KBIT);
    const cappedAt = Date.now();
    const lower = await waitFor(async () => {
      const v = await inboundVideo(bob);
      return v.frameHeight > 0 && v.frameHeight < top.frameHeight ? v : null;
    }, { timeoutMs: SWITCH_DOWN_WITHIN_MS, intervalMs: 100, what: 'Bob to receive a lower layer under the cap' });
    const downMs = Date.now() - cappedAt;
    t.diagnostic(`switch_down_ms=${downMs} to ${lower.frameHeight} px`);
    await waitFor(async () => ((await inboundVideo(bob)).framesDecoded > lower.framesDecoded + 15 ? true : null), {
      timeoutMs: 10_000, what: 'Bob to keep decoding under the cap',
    });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CAPPED_FOR_MS - (Date.now() - cappedAt))));
    const under = await inboundVideo(bob);
    assert.ok(under.frameHeight < top.frameHeight, `still below the top layer under the cap (${under.frameHeight} px)`);

    await call.uncap();
    const uncappedAt = Date.now();
    const reached = await waitForPublishersTop(alice, bob, {
      aboveHeight: Math.min(lower.frameHeight, under.frameHeight),
      from: uncappedAt,
      timeoutMs: WAIT_FOR_TOP_MS,
      onTrace: (trace) => t.diagnostic(`after the cap's removal, each second: Bob's decoded height; Firefox's encodings:\n${trace.join('\n')}`),
    });
    const owedMs = reached.at - Math.max(uncappedAt, reached.since);
    t.diagnostic(`switch_up_ms=${reached.at - uncappedAt} owed_ms=${owedMs} layer=${reached.rid}:${reached.frameHeight}`);
    assert.ok(owedMs <= SWITCH_UP_WITHIN_MS, `Bob reached Firefox's ${reached.rid} layer ${owedMs} ms after both the cap's removal and that layer running`);
  } catch (err) {
    t.diagnostic(`server log:\n${call.server.logs()}`);
    for (const page of call.pages) {
      t.diagnostic(`${page.displayName} console:\n${(page.consoleMessages ?? []).join('\n')}`);
    }
    throw err;
  }
});
