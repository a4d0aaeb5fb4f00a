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
  return Object.fromEntries(Object.entries(await outboundDetail(page)).map(([rid, l]) => [rid, l.frameHeight]));
}

/** rid → { frameHeight, framesSent, limitation } of the publisher's video encodings. */
async function outboundDetail(page) {
  return page.evaluate(async () => {
    const out = {};
    const report = await window.__medrtc.publisher.getStats();
    report.forEach((s) => {
      if (s.type === 'outbound-rtp' && (s.kind ?? s.mediaType) === 'video') {
        out[s.rid ?? '-'] = { frameHeight: s.frameHeight ?? 0, framesSent: s.framesSent ?? 0, limitation: s.qualityLimitationReason };
      }
    });
    return out;
  });
}

/** The subscriber's received video: the largest frameHeight and the frames decoded. */
async function inboundVideo(page) {
  return page.evaluate(async () => {
    const out = { frameHeight: 0, framesDecoded: 0, streams: 0, packetsLost: 0, nackCount: 0, retransmitted: 0 };
    const report = await window.__medrtc.subscriber.getStats();
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'video') {
        out.frameHeight = Math.max(out.frameHeight, s.frameHeight ?? 0);
        out.framesDecoded += s.framesDecoded ?? 0;
        out.packetsLost += s.packetsLost ?? 0;
        out.nackCount += s.nackCount ?? 0;
        out.retransmitted += s.retransmittedPacketsReceived ?? 0;
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

  // Bob decodes Alice's top layer (f) once she sends it: one stream, frames rising. On a
  // busy machine Chromium's own bandwidth or CPU limits may hold its f layer back for a
  // while; only a rising frame count says it is sent.
  let seen = null;
  let previous = await outboundDetail(alice);
  const top = await waitFor(async () => {
    const [v, now] = await Promise.all([inboundVideo(bob), outboundDetail(alice)]);
    const fSent = (now.f?.framesSent ?? 0) > (previous.f?.framesSent ?? 0);
    seen = { bob: v, alice: now };
    previous = now;
    return fSent && v.frameHeight >= now.f.frameHeight ? v : null;
  }, { timeoutMs: 45_000, intervalMs: 1_000, what: "Bob to decode Alice's top layer" }).catch((err) => {
    throw new Error(`${err.message} (${JSON.stringify(seen)})`);
  });
  t.diagnostic(`bob at the top layer: ${JSON.stringify(top)}`);
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
