// Simulcast with werift (issue 12, "werift interop"): a werift publisher offers its video as
// RFC 8853 simulcast (a=rid q/h/f, a=simulcast:send q;h;f, the RID header extension) and
// a werift subscriber receives what the SFU forwards.
//
// What werift 0.25 supports: it writes the simulcast offer, and its RtpSender sends one
// encoding only, on one SSRC tagged with the first RID ("sender simulcast unsupported"
// in werift's rtpSender.js). 0.25.2, the newest on npm (checked 2026-12-05), is the same:
// setSendEncodings keeps the list but takes only the first rid, and only writing RTP past
// the sender (RTCDtlsTransport.sendRtp) would send more (docs/simulcast-figures.md); the
// switching between layers of a second engine is proven with Firefox
// (tests/e2e/firefox-simulcast.test.mjs). So the SFU sees a simulcast producer of which one layer (q) is
// active, binds that SSRC to the layer by its RID and forwards it: the subscriber gets the
// only active layer, as one stream (one SSRC, consecutive sequence numbers). What werift
// cannot do here: send three layers, so layer switching between werift layers is tested
// with Chromium (tests/e2e/simulcast-*.test.mjs); and werift does not send transport-wide
// CC feedback here (its subscriber is not configured for it; werift-twcc.test.mjs is).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRoom, createToken, startServer, wsUrl } from '../support/server.mjs';
import { closeAll, expectMediaFrom, expectStillReceiving } from './harness.mjs';
import { joinRoom } from './werift-peer.mjs';
import { waitFor } from './wait.mjs';

const RIDS = ['q', 'h', 'f'];
let server;

before(async () => {
  server = await startServer({ workers: 1, args: ['--metrics-listen', '127.0.0.1:0'] });
});

after(async () => {
  await server?.stop();
});

/** The server's RTP-dropped counters by reason (summed over workers). */
async function droppedByReason() {
  const open = /metrics_listening address=127\.0\.0\.1 port=(\d+)/.exec(server.logs());
  const text = await (await fetch(`http://127.0.0.1:${open[1]}/metrics`)).text();
  const out = {};
  for (const m of text.matchAll(/^medrtc_media_rtp_dropped_total\{[^}]*reason="([a-z_]+)"[^}]*\} (\d+)/gm)) {
    out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  }
  return out;
}

test('a werift publisher offering simulcast RIDs reaches a werift subscriber through the SFU as one stream', { timeout: 60_000 }, async () => {
  const roomId = await createRoom(server);
  const [ta, tb] = await Promise.all([
    createToken(server, roomId, { identity: 'simulcast-host', name: 'Host', role: 'host' }),
    createToken(server, roomId, { identity: 'simulcast-guest', name: 'Guest', role: 'guest' }),
  ]);
  const publisher = await joinRoom({ wsUrl: wsUrl(server), token: ta.token, publish: { audio: true, video: true, simulcastRids: RIDS } });
  const peers = [publisher];
  try {
    const subscriber = await joinRoom({ wsUrl: wsUrl(server), token: tb.token, publish: { audio: true, video: true } });
    peers.push(subscriber);

    // The offer announced the three RIDs; the server accepted them as simulcast.
    const offer = publisher.publisher.pc.localDescription.sdp;
    assert.match(offer, /a=simulcast:send q;h;f/, offer);
    const answer = publisher.publishAnswer;
    assert.match(answer, /a=simulcast:recv q;h;f/, answer);
    for (const rid of RIDS) {
      assert.match(answer, new RegExp(`a=rid:${rid} recv`), answer);
    }
    assert.match(answer, /urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id/, 'the answer keeps the RID header extension');

    // The subscriber receives the publisher's media; its video is one stream.
    await expectMediaFrom(subscriber, publisher);
    await expectStillReceiving(subscriber, publisher, { more: 100 });
    const video = subscriber.receivedFrom(publisher.participantId, 'video');
    assert.equal(video.ssrcs.size, 1, `video on ${video.ssrcs.size} SSRCs`);
    // werift sends no retransmissions unasked and nothing is lost on loopback: a jump in
    // the sequence numbers would be the SFU's rewriting going wrong.
    assert.ok(video.seqJumps <= 1, `${video.seqJumps} sequence-number jumps in ${video.packets} packets`);
    // And the plain (non-simulcast) publisher still reaches the simulcast one.
    await expectMediaFrom(publisher, subscriber);

    // The RID werift tags its packets with is one the offer announced: nothing was
    // dropped as an unknown RID.
    const dropped = await droppedByReason();
    assert.equal(dropped.unknown_rid ?? 0, 0, `dropped: ${JSON.stringify(dropped)}`);
  } finally {
    await closeAll(peers);
  }
});

test('a werift publisher whose video carries a RID its offer did not announce: dropped and counted, its audio goes on', { timeout: 60_000 }, async () => {
  const roomId = await createRoom(server);
  const [ta, tb] = await Promise.all([
    createToken(server, roomId, { identity: 'rid-host', name: 'Host', role: 'host' }),
    createToken(server, roomId, { identity: 'rid-guest', name: 'Guest', role: 'guest' }),
  ]);
  const before = await droppedByReason();
  // werift tags all its video with the first RID, q; the offer the server gets announces
  // only h and f.
  const editOffer = (sdp) => sdp.replace(/a=rid:q send\r\n/, '').replace('a=simulcast:send q;h;f', 'a=simulcast:send h;f');
  const publisher = await joinRoom({
    wsUrl: wsUrl(server), token: ta.token, publish: { audio: true, video: true, simulcastRids: RIDS, editOffer },
  });
  const peers = [publisher];
  try {
    const subscriber = await joinRoom({ wsUrl: wsUrl(server), token: tb.token, publish: { audio: true, video: true } });
    peers.push(subscriber);
    assert.match(publisher.publishAnswer, /a=simulcast:recv h;f/, publisher.publishAnswer);
    await waitFor(() => subscriber.packetsFrom(publisher.participantId, 'audio') >= 100, {
      timeout: 20_000, message: () => `audio from the publisher: ${subscriber.describe()}`,
    });
    let dropped = null;
    await waitFor(async () => {
      dropped = await droppedByReason();
      return (dropped.unknown_rid ?? 0) - (before.unknown_rid ?? 0) >= 10;
    }, { timeout: 10_000, message: () => `unknown RIDs counted: ${JSON.stringify(dropped)} (before ${JSON.stringify(before)})` });
    assert.equal(subscriber.packetsFrom(publisher.participantId, 'video'), 0, 'video on an unannounced RID was forwarded');
    // The server is unharmed: the other direction still flows.
    await expectMediaFrom(publisher, subscriber);
  } finally {
    await closeAll(peers);
  }
});
