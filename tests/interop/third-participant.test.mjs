// A and B are in a call; C joins (everyone receives everyone), then C leaves and A and B
// carry on, told by participant_left.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRoom, createToken, startServer, wsUrl } from '../support/server.mjs';
import { closeAll, expectMediaFrom, expectMediaOnlyFrom, expectStillReceiving } from './harness.mjs';
import { waitFor } from './wait.mjs';
import { joinRoom, mediaSectionsFromSdp } from './werift-peer.mjs';

let server;

before(async () => {
  server = await startServer({ workers: 1 });
});

after(async () => {
  await server?.stop();
});

function offersNaming(peer, participantId) {
  return peer.subscriber.offers.filter((o) => mediaSectionsFromSdp(o.sdp).some((s) => s.participantId === participantId && s.port !== 0));
}

/** C joins a running A–B call, then goes away by `how` ('leave' or 'vanish'). */
async function thirdParticipant(how) {
  const roomId = await createRoom(server);
  const tokens = await Promise.all(['a', 'b', 'c'].map((id) =>
    createToken(server, roomId, { identity: `third-${how}-${id}`, name: `Xqzzy Thirdtest ${id}`, role: id === 'a' ? 'host' : 'guest' })));
  const url = wsUrl(server);
  const peers = [];
  try {
    const a = await joinRoom({ wsUrl: url, token: tokens[0].token });
    peers.push(a);
    const b = await joinRoom({ wsUrl: url, token: tokens[1].token });
    peers.push(b);
    await Promise.all([expectMediaFrom(a, b), expectMediaFrom(b, a)]);
    const offersBefore = { a: a.subscriber.offers.length, b: b.subscriber.offers.length };
    const versionBefore = { a: a.subscriber.offers.at(-1).version, b: b.subscriber.offers.at(-1).version };

    const c = await joinRoom({ wsUrl: url, token: tokens[2].token });
    peers.push(c);
    assert.deepEqual(c.joined.participants.map((p) => p.participant_id).sort(), [a.participantId, b.participantId].sort(),
      `C's joined.participants: ${JSON.stringify(c.joined.participants)}`);
    for (const peer of [a, b]) {
      await peer.signaling.next((m) => m.type === 'participant_joined' && m.participant?.participant_id === c.participantId, { timeout: 5000 });
      // a new subscribe offer, with a higher version, carrying C's tracks
      await waitFor(() => offersNaming(peer, c.participantId).length > 0, {
        timeout: 10000,
        message: () => `a subscribe offer with C's tracks at ${peer.participantId}: ${peer.describe()}`,
      });
    }
    assert.ok(a.subscriber.offers.length > offersBefore.a && b.subscriber.offers.length > offersBefore.b, 'A and B got new subscribe offers');
    assert.ok(offersNaming(a, c.participantId)[0].version > versionBefore.a, 'the offer version increased at A');
    assert.ok(offersNaming(b, c.participantId)[0].version > versionBefore.b, 'the offer version increased at B');

    await Promise.all([
      expectMediaFrom(a, c), expectMediaFrom(b, c),
      expectMediaFrom(c, a), expectMediaFrom(c, b),
      expectStillReceiving(a, b), expectStillReceiving(b, a),
    ]);
    expectMediaOnlyFrom(a, [b, c]);
    expectMediaOnlyFrom(b, [a, c]);
    expectMediaOnlyFrom(c, [a, b]);

    if (how === 'leave') {
      await c.close();
      assert.equal(c.leaveClose?.code, 1000, 'the server closes a socket that sent leave with 1000');
    } else {
      await c.kill(); // TCP connection destroyed without a close frame, media stops
    }
    // A vanished socket is held for the 30 s resume grace (docs/protocol.md "Session
    // resume") before the others hear of the leave; a `leave` is told at once.
    const leftWithin = how === 'vanish' ? 40000 : 10000;
    for (const peer of [a, b]) {
      await peer.signaling.next((m) => m.type === 'participant_left' && m.participant_id === c.participantId, { timeout: leftWithin });
    }
    // A and B keep receiving each other; C's counters stop (allowing for packets in flight)
    const fromCAtLeave = { a: a.packetsFrom(c.participantId, 'audio'), b: b.packetsFrom(c.participantId, 'audio') };
    await Promise.all([expectStillReceiving(a, b, { more: 100 }), expectStillReceiving(b, a, { more: 100 })]);
    assert.ok(a.packetsFrom(c.participantId, 'audio') - fromCAtLeave.a < 10, `A still receives C's audio after C left: ${a.describe()}`);
    assert.ok(b.packetsFrom(c.participantId, 'audio') - fromCAtLeave.b < 10, `B still receives C's audio after C left: ${b.describe()}`);
    expectMediaOnlyFrom(a, [b, c]);
    expectMediaOnlyFrom(b, [a, c]);
    assert.ok(a.signaling.isOpen && b.signaling.isOpen, 'A and B stay connected');
    const rejected = [...a.subscriber.errors, ...b.subscriber.errors];
    assert.deepEqual(rejected.map((e) => `v${e.version}: ${e.message}`), [],
      `werift rejected subscribe offers; m= lines of the first one:\n${rejected[0]?.sdp?.split(/\r?\n/).filter((l) => l.startsWith('m=')).join('\n')}`);
    assert.ok(!a.messages.concat(b.messages).some((m) => m.type === 'error'), `errors sent to A/B: ${a.signaling.summary()} ${b.signaling.summary()}`);
  } finally {
    await closeAll(peers);
  }
}

test('a third participant joins and leaves a running call', { timeout: 120000 }, () => thirdParticipant('leave'));

test('a third participant joins a running call and vanishes (no close frame)', { timeout: 120000 }, () => thirdParticipant('vanish'));
