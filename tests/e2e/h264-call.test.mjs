// Issue 11 item 4: H.264 through the SFU between two real browsers, not only fixtures.
// Debian's Chromium encodes H.264 (OpenH264, constrained baseline); Debian's Firefox ESR
// cannot (it has no H.264 encoder without Cisco's OpenH264 plugin, which it would download
// at run time), so both ends are Chromium. Each page offers H.264 and no VP8
// (setCodecPreferences, the standard API a browser's own preference order goes through):
// the server takes VP8 whenever it is offered (docs/architecture.md "Typed media model"),
// so only a publisher without VP8 sends H.264. Each publishes H.264, and each decodes the
// other's H.264 with frames rising.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newCallPage } from '../support/chromium.mjs';
import { clickJoin, participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { createRoom, createToken } from '../support/server.mjs';

const suite = useCallSuite();

/** Opens a join link in a page whose video transceivers offer H.264 and no VP8, and joins. */
async function joinPreferringH264(roomId, { identity, name, role = 'guest' }) {
  const { join_url: joinUrl } = await createToken(suite.server, roomId, { identity, name, role });
  const page = await newCallPage(suite.browser, suite.server.baseUrl + joinUrl, { goto: false });
  page.displayName = name;
  await page.addInitScript(() => {
    const createOffer = RTCPeerConnection.prototype.createOffer;
    RTCPeerConnection.prototype.createOffer = function preferH264(...args) {
      const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
      const h264 = codecs.filter((c) => c.mimeType === 'video/H264');
      for (const tr of this.getTransceivers()) {
        if (tr.receiver.track.kind === 'video' && h264.length > 0) {
          const others = codecs.filter((c) => c.mimeType !== 'video/H264' && c.mimeType !== 'video/VP8');
          tr.setCodecPreferences([...h264, ...others]);
        }
      }
      return createOffer.apply(this, args);
    };
  });
  await page.goto(suite.server.baseUrl + joinUrl);
  await clickJoin(page);
  suite.pages.push(page);
  return page;
}

/** The codec (mimeType) of the page's video, sent ('outbound-rtp') or received ('inbound-rtp'). */
async function videoCodec(page, which, type) {
  return page.evaluate(async ({ name, statType }) => {
    const pc = window.__medrtc[name];
    if (!pc) {
      return null;
    }
    const stats = await pc.getStats();
    let mime = null;
    stats.forEach((s) => {
      if (s.type === statType && s.kind === 'video' && s.codecId) {
        mime = stats.get(s.codecId)?.mimeType ?? mime;
      }
    });
    return mime;
  }, { name: which, statType: type });
}

test('two Chromium pages that offer H.264 and no VP8 send and decode H.264 through the SFU', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const offers = await suite.browser.newContext().then(async (ctx) => {
    const p = await ctx.newPage();
    const caps = await p.evaluate(() => RTCRtpSender.getCapabilities('video').codecs.map((c) => c.mimeType));
    await ctx.close();
    return caps;
  });
  assert.ok(offers.includes('video/H264'), `this Chromium cannot send H.264: ${offers.join(', ')}`);

  const roomId = await createRoom(suite.server);
  const alice = await joinPreferringH264(roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });
  const bob = await joinPreferringH264(roomId, { identity: 'patient-1', name: 'Patient One' });
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  await waitForTileFrames(alice, await participantId(bob));
  await waitForTileFrames(bob, await participantId(alice));

  for (const page of [alice, bob]) {
    const sent = await videoCodec(page, 'publisher', 'outbound-rtp');
    const received = await videoCodec(page, 'subscriber', 'inbound-rtp');
    t.diagnostic(`${page.displayName} sends ${sent}, decodes ${received}`);
    assert.equal(sent, 'video/H264', `${page.displayName} publishes H.264`);
    assert.equal(received, 'video/H264', `${page.displayName} decodes H.264`);
  }
  assertPagesClean(suite);
}));
