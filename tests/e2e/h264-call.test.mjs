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

// Issue 12 item 1: the page announces what it can decode in its `join` (`decoders`, from
// RTCRtpReceiver.getCapabilities). A page whose announcement leaves H.264 out (filtered here
// in the page, though this Chromium could decode it) is never offered the H.264 publisher's
// video: its first subscribe offer has no video m-line, it hears codec_unsupported at once
// and it still receives that publisher's audio.
test('a Chromium page that announces no H.264 decoder gets a first offer without the H.264 video', { timeout: 120_000 }, (t) => withDiagnostics(t, suite, async () => {
  const roomId = await createRoom(suite.server);
  const alice = await joinPreferringH264(roomId, { identity: 'dr-weber', name: 'Dr Weber', role: 'host' });

  const { join_url: joinUrl } = await createToken(suite.server, roomId, { identity: 'patient-2', name: 'Patient Two' });
  const bob = await newCallPage(suite.browser, suite.server.baseUrl + joinUrl, { goto: false });
  bob.displayName = 'Patient Two';
  await bob.addInitScript(() => {
    const getCapabilities = RTCRtpReceiver.getCapabilities.bind(RTCRtpReceiver);
    RTCRtpReceiver.getCapabilities = (kind) => {
      const caps = getCapabilities(kind);
      return caps && { ...caps, codecs: caps.codecs.filter((c) => c.mimeType !== 'video/H264') };
    };
    // What the page sent and got on its signaling socket.
    window.__sent = [];
    window.__received = [];
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (ev) => window.__received.push(JSON.parse(ev.data)));
      }
      send(data) {
        window.__sent.push(JSON.parse(data));
        super.send(data);
      }
    };
  });
  await bob.goto(suite.server.baseUrl + joinUrl);
  await clickJoin(bob);
  suite.pages.push(bob);
  await waitForRemoteMedia(alice);

  const seen = async () => bob.evaluate(() => ({ sent: window.__sent, received: window.__received }));
  let log = await seen();
  for (let i = 0; i < 100 && !log.received.some((m) => m.type === 'error' && m.code === 'codec_unsupported'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    log = await seen();
  }
  const join = log.sent.find((m) => m.type === 'join');
  assert.ok(join?.decoders?.codecs?.some((c) => c.mime_type === 'video/VP8'), 'the join announces the decoders');
  assert.ok(!join.decoders.codecs.some((c) => c.mime_type === 'video/H264'));
  assert.ok(!log.received.some((m) => m.type === 'error' && m.code === 'decoders_invalid'), 'Chromium\'s list is accepted');
  const notice = log.received.find((m) => m.type === 'error' && m.code === 'codec_unsupported');
  assert.ok(notice, `codec_unsupported: ${JSON.stringify(log.received.map((m) => m.code ?? m.type))}`);
  assert.match(notice.message, /video .* H264/);
  const offers = log.received.filter((m) => m.type === 'subscribe_offer');
  assert.ok(offers.length > 0, 'a subscribe offer came');
  assert.ok(!/m=video/.test(offers[0].sdp), `the first offer has no video m-line:\n${offers[0].sdp}`);
  assert.ok(!/H264/.test(offers.map((o) => o.sdp).join('')), 'no offer carries H.264');
  assert.ok(/m=audio/.test(offers[0].sdp), 'the publisher\'s audio is offered');
  // Bob still receives Alice's audio.
  const audioPackets = () => bob.evaluate(async () => {
    const pc = window.__medrtc?.subscriber;
    let packets = 0;
    (await pc?.getStats())?.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        packets += s.packetsReceived;
      }
    });
    return packets;
  });
  let audioIn = 0;
  for (let i = 0; i < 150 && audioIn === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    audioIn = await audioPackets();
  }
  t.diagnostic(`audio packets received: ${audioIn}`);
  assert.ok(audioIn > 0, 'the publisher\'s audio is received');
}));
