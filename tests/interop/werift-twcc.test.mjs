// Transport-wide congestion control with werift (issue 12, "werift interop: a werift
// subscriber that sends TWCC"): the SFU's subscribe offer carries the transport-wide-cc
// extension and the transport-cc feedback type, a werift subscriber configured for them
// keeps both in its answer, receives a werift publisher's video with this hop's
// transport-wide sequence numbers and sends transport-cc feedback (werift's ReceiverTWCC),
// and the SFU accepts that feedback and estimates the subscriber's downlink from it
// (docs/bandwidth-estimation.md). A subscriber that drops the extension sends none, which
// tells apart feedback from this subscriber and a counter that grows by itself.
//
// Two werift 0.25 limits shape the test (found here, in werift's ReceiverTWCC and
// TransportWideCC):
// - each receiver (m-line) keeps its own ReceiverTWCC and reports only the packets it got;
//   the numbers of the transport's other m-lines fall in its reports as gaps, which it
//   does not encode as "not received", so its run-length chunks claim packets it has no
//   deltas for. The SFU numbers all packets of a transport (transport-wide, as the draft
//   says), so the publisher here sends video only: one receiver sees every number.
// - it writes the feedback without RFC 3550 padding to a 32-bit boundary (the length field
//   is rounded down, the packet is 1–3 bytes longer). The SFU keeps the packets of a
//   compound before a malformed one (RtcpCompoundView::salvage, as libwebrtc), but werift
//   sends the feedback alone and what its length field covers lacks the last 1–3 bytes of
//   deltas, so the feedback itself cannot be read (tried without the padding: no feedback
//   accepted in 20 s). TransportWideCC pads when its header asks for it; the test asks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TransportWideCC } from 'werift';
import { createRoom, createToken, startServer, wsUrl } from '../support/server.mjs';
import { closeAll, expectMediaFrom } from './harness.mjs';
import { joinRoom } from './werift-peer.mjs';
import { waitFor } from './wait.mjs';

const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
let server;

before(async () => {
  const serialize = TransportWideCC.prototype.serialize;
  TransportWideCC.prototype.serialize = function padded() {
    this.header.padding = true;
    return serialize.call(this);
  };
  server = await startServer({ workers: 1, args: ['--metrics-listen', '127.0.0.1:0'] });
});

after(async () => {
  await server?.stop();
});

/** A counter of the server's /metrics, summed over workers. */
async function metric(name) {
  const open = /metrics_listening address=127\.0\.0\.1 port=(\d+)/.exec(server.logs());
  const text = await (await fetch(`http://127.0.0.1:${open[1]}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'gm'))) {
    sum += Number(m[1]);
  }
  return sum;
}

/** The video section of an SDP (one video m-line here). */
function videoSection(sdp) {
  const sections = sdp.split(/\r?\n(?=m=)/);
  return sections.find((s) => s.startsWith('m=video')) ?? '';
}

/** The downlink estimates the SFU logged for a participant's allocations (bit/s). */
function loggedEstimates(participantId) {
  const out = [];
  for (const line of server.logs().split('\n')) {
    if (line.includes('media_bandwidth_allocation') && line.includes(participantId)) {
      const m = /estimate_bps[=":\s]+(\d+)/.exec(line);
      if (m) {
        out.push(Number(m[1]));
      }
    }
  }
  return out;
}

async function twoPeers(prefix, { twcc, publish }) {
  const roomId = await createRoom(server);
  const [ta, tb] = await Promise.all([
    createToken(server, roomId, { identity: `${prefix}-host`, name: 'Host', role: 'host' }),
    createToken(server, roomId, { identity: `${prefix}-guest`, name: 'Guest', role: 'guest' }),
  ]);
  const publisher = await joinRoom({ wsUrl: wsUrl(server), token: ta.token, publish });
  try {
    const subscriber = await joinRoom({ wsUrl: wsUrl(server), token: tb.token, publish: false, twcc });
    return { publisher, subscriber };
  } catch (err) {
    await closeAll([publisher]);
    throw err;
  }
}

test('a werift subscriber that keeps transport-wide-cc sends feedback the SFU accepts and estimates from', { timeout: 60_000 }, async () => {
  const before = await metric('medrtc_media_transport_cc_feedback_total');
  const ignoredBefore = await metric('medrtc_media_transport_cc_ignored_total');
  const { publisher, subscriber } = await twoPeers('twcc', { twcc: true, publish: { audio: false, video: true } });
  try {
    await waitFor(() => subscriber.packetsFrom(publisher.participantId, 'video') >= 50, {
      timeout: 20_000, message: () => `video from the publisher: ${subscriber.describe()}`,
    });

    // The offer carries the extension and the feedback type on video; werift's answer keeps both.
    const offer = videoSection(subscriber.subscriber.offers.at(-1).sdp);
    assert.match(offer, new RegExp(`a=extmap:\\d+ ${TWCC_URI}`), offer);
    assert.match(offer, /a=rtcp-fb:\d+ transport-cc/, offer);
    const answer = videoSection(subscriber.subscriber.pc.localDescription.sdp);
    const offeredId = new RegExp(`a=extmap:(\\d+) ${TWCC_URI}`).exec(offer)[1];
    assert.match(answer, new RegExp(`a=extmap:${offeredId} ${TWCC_URI}`), answer);
    assert.match(answer, /a=rtcp-fb:\d+ transport-cc/, answer);

    // werift sends feedback about every 100 ms once video arrives: the SFU counts it accepted.
    let accepted = 0;
    await waitFor(async () => {
      accepted = (await metric('medrtc_media_transport_cc_feedback_total')) - before;
      return accepted >= 20;
    }, { timeout: 20_000, message: () => `transport-cc feedback accepted: ${accepted}; ${subscriber.describe()}` });
    assert.equal(await metric('medrtc_media_transport_cc_ignored_total') - ignoredBefore, 0, 'feedback ignored as absurd');

    // The estimator settles on it (2 s of feedback or a probe) and the allocator logs the
    // subscriber's estimate: in range (floor 30 kbit/s, ceiling 2.5 Mbit/s or 1.5 × wanted).
    let estimates = [];
    await waitFor(() => (estimates = loggedEstimates(subscriber.participantId)).length > 0, {
      timeout: 20_000, message: () => `no media_bandwidth_allocation logged for ${subscriber.participantId}`,
    });
    for (const bps of estimates) {
      assert.ok(bps >= 30_000 && bps <= 10_000_000, `estimate ${bps} bit/s`);
    }
    console.log(`# twcc feedback accepted=${accepted} estimates_bps=${estimates.join(',')}`);
  } finally {
    await closeAll([publisher, subscriber]);
  }
});

test('a werift subscriber that drops transport-wide-cc sends no feedback and gets no estimate', { timeout: 60_000 }, async () => {
  const { publisher, subscriber } = await twoPeers('notwcc', { twcc: false, publish: { audio: true, video: true } });
  try {
    const before = await metric('medrtc_media_transport_cc_feedback_total');
    await expectMediaFrom(subscriber, publisher, { min: 100 });
    const answer = videoSection(subscriber.subscriber.pc.localDescription.sdp);
    assert.doesNotMatch(answer, new RegExp(TWCC_URI), answer);
    assert.equal(await metric('medrtc_media_transport_cc_feedback_total') - before, 0, 'feedback counted without transport-cc');
    assert.deepEqual(loggedEstimates(subscriber.participantId), []);
  } finally {
    await closeAll([publisher, subscriber]);
  }
});
