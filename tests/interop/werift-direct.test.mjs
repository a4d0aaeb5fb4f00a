// Checks the werift side of the interop tests without medrtc: a publisher connection's
// offer is answered by our Subscriber (as if the server had forwarded it, with
// `a=msid:<participant> <track>` added), and the synthetic media must arrive intact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Subscriber, createPublisher, setLocalAndGather } from './werift-peer.mjs';
import { waitFor } from './wait.mjs';

/** Adds the msid lines the server writes into its subscribe offers. */
function addMsid(sdp, participantId) {
  return sdp
    .split('\r\n')
    .flatMap((line) => (line.startsWith('a=mid:') ? [line, `a=msid:${participantId} track-${line.slice(6)}`] : [line]))
    .join('\r\n');
}

test('werift publisher → werift subscriber carries marked audio and video', { timeout: 30000 }, async () => {
  const publisher = createPublisher({ audio: true, video: true, markerId: 'direct01' });
  const sent = [];
  const fakeSignaling = { isOpen: true, send: (msg) => sent.push(msg) };
  const subscriber = new Subscriber(fakeSignaling, () => {});
  try {
    const offerSdp = await setLocalAndGather(publisher.pc, await publisher.pc.createOffer());
    subscriber.handleOffer({ type: 'subscribe_offer', version: 1, sdp: addMsid(offerSdp, 'p_direct') });
    const answer = await waitFor(() => sent.find((m) => m.type === 'subscribe_answer'), { timeout: 5000, message: 'subscribe_answer' });
    assert.equal(answer.version, 1);
    await publisher.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    publisher.sources.audio.start();
    publisher.sources.video.start();

    const stats = (kind) => subscriber.received.get('p_direct')?.[kind];
    await waitFor(() => stats('audio')?.packets > 50 && stats('video')?.packets > 50, {
      timeout: 15000,
      message: () => `50 audio + 50 video packets (audio ${stats('audio')?.packets ?? 0}, video ${stats('video')?.packets ?? 0}, unattributed ${subscriber.unattributed})`,
    });
    for (const kind of ['audio', 'video']) {
      const s = stats(kind);
      assert.deepEqual([...s.markers.keys()], ['direct01'], `${kind} markers`);
      assert.equal(s.wrongKind, 0, `${kind} packets carrying the other kind's marker`);
      assert.equal(s.unmarked, 0, `${kind} packets without marker`);
    }
    assert.deepEqual(subscriber.errors, []);
  } finally {
    publisher.sources.audio.stop();
    publisher.sources.video.stop();
    await publisher.pc.close();
    await subscriber.close();
  }
});
