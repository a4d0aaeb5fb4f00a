// Simulcast through the SFU (issue 12 item 3): the web client publishes three RID layers
// (q/h/f), the subscriber of a 1:1 call gets the top one (its decoded frameHeight is the
// publisher's full-size layer) and keeps decoding; a client that sends a single layer
// still works beside one that sends three.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCallPage } from '../support/chromium.mjs';
import { clickJoin, participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { createRoom, createToken, waitFor } from '../support/server.mjs';

const suite = useCallSuite();

/** The publisher's video encodings as getStats() sees them: rid → frameHeight. */
async function outboundLayers(page) {
  return page.evaluate(async () => {
    const out = {};
    const report = await window.__medrtc.publisher.getStats();
    report.forEach((s) => {
      if (s.type === 'outbound-rtp' && (s.kind ?? s.mediaType) === 'video') {
        out[s.rid ?? '-'] = s.frameHeight ?? 0;
      }
    });
    return out;
  });
}

/** The subscriber's received video: the largest frameHeight and the frames decoded. */
async function inboundVideo(page) {
  return page.evaluate(async () => {
    const out = { frameHeight: 0, framesDecoded: 0, streams: 0 };
    const report = await window.__medrtc.subscriber.getStats();
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'video') {
        out.frameHeight = Math.max(out.frameHeight, s.frameHeight ?? 0);
        out.framesDecoded += s.framesDecoded ?? 0;
        out.streams += 1;
      }
    });
    return out;
  });
}

test('a 1:1 call with simulcast: the subscriber decodes the top layer', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { alice, bob } = await startTwoPartyCall(suite);
  // Alice sends three layers, the top one at the camera's full size.
  const layers = await waitFor(async () => {
    const l = await outboundLayers(alice);
    return l.q > 0 && l.h > 0 && l.f > 0 ? l : null;
  }, { timeoutMs: 30_000, what: 'Alice to send three simulcast layers' });
  t.diagnostic(`alice's layers: ${JSON.stringify(layers)}`);
  assert.ok(layers.f > layers.h && layers.h > layers.q, `layers not ordered: ${JSON.stringify(layers)}`);

  // Bob decodes Alice's top layer: one stream, at the full height, frames rising.
  const top = await waitFor(async () => {
    const v = await inboundVideo(bob);
    return v.frameHeight >= layers.f ? v : null;
  }, { timeoutMs: 30_000, what: `Bob to decode Alice's top layer (${layers.f} px high)` });
  assert.equal(top.streams, 1);
  await waitFor(async () => (await inboundVideo(bob)).framesDecoded > top.framesDecoded + 30 ? true : null, {
    timeoutMs: 15_000, what: "Bob's decoded frames to keep rising",
  });
  await waitForTileFrames(bob, await participantId(alice));
  assertPagesClean(suite);
}));

test('a client that sends one layer and one that sends three see each other', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const roomId = await createRoom(suite.server);
  const open = async (identity, name, singleLayer) => {
    const { join_url: joinUrl } = await createToken(suite.server, roomId, { identity, name });
    const page = await newCallPage(suite.browser, suite.server.baseUrl + joinUrl, { goto: false });
    page.displayName = name;
    if (singleLayer) {
      await page.addInitScript(() => {
        window.__medrtcSingleLayer = true;
      });
    }
    await page.goto(suite.server.baseUrl + joinUrl);
    suite.pages.push(page);
    await clickJoin(page);
    return page;
  };
  const carol = await open('carol', 'Carol', true);
  const dave = await open('dave', 'Dave', false);
  await Promise.all([waitForRemoteMedia(carol), waitForRemoteMedia(dave)]);
  const carolLayers = await outboundLayers(carol);
  assert.deepEqual(Object.keys(carolLayers), ['-'], `Carol should send one encoding: ${JSON.stringify(carolLayers)}`);
  await waitForTileFrames(carol, await participantId(dave));
  await waitForTileFrames(dave, await participantId(carol));
  assertPagesClean(suite);
}));
