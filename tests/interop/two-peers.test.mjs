// Two werift participants in a medrtc room receive each other's audio and video; two rooms
// on a 2-worker server stay isolated.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRoom, createToken, startServer, wsUrl } from '../support/server.mjs';
import { closeAll, expectMediaFrom, expectMediaOnlyFrom, expectStillReceiving } from './harness.mjs';
import { candidateFromSdp, joinRoom, mediaSectionsFromSdp } from './werift-peer.mjs';

let server;

before(async () => {
  server = await startServer({ workers: 1 });
});

after(async () => {
  await server?.stop();
});

async function joinPair(srv, roomId, tag) {
  const [ta, tb] = await Promise.all([
    createToken(srv, roomId, { identity: `host-${tag}`, name: `Quorvex Hostname ${tag}`, role: 'host' }),
    createToken(srv, roomId, { identity: `guest-${tag}`, name: `Zyxwvut Patientname ${tag}`, role: 'guest' }),
  ]);
  const a = await joinRoom({ wsUrl: wsUrl(srv), token: ta.token });
  let b;
  try {
    b = await joinRoom({ wsUrl: wsUrl(srv), token: tb.token });
  } catch (err) {
    await closeAll([a]);
    throw err;
  }
  return [a, b];
}

function sessionAndMediaLines(sdp) {
  return sdp.split(/\r?\n/).filter(Boolean);
}

test('server SDP follows docs/protocol.md (ICE-lite, passive/actpass, one UDP and one ICE-TCP host candidate, msid)', { timeout: 60000 }, async () => {
  const roomId = await createRoom(server);
  const [a, b] = await joinPair(server, roomId, 'sdp');
  try {
    assert.equal(a.joined.room_id, roomId);
    assert.ok(b.joined.participants.some((p) => p.participant_id === a.participantId),
      `B's joined.participants lists A: ${JSON.stringify(b.joined.participants)}`);
    const joinedNote = await a.signaling.next((m) => m.type === 'participant_joined' && m.participant?.participant_id === b.participantId, { timeout: 5000 });
    assert.equal(joinedNote.participant.name, 'Zyxwvut Patientname sdp');

    for (const peer of [a, b]) {
      const lines = sessionAndMediaLines(peer.publishAnswer);
      assert.ok(lines.includes('a=ice-lite'), `publish answer has a=ice-lite:\n${peer.publishAnswer}`);
      assert.ok(lines.some((l) => l.startsWith('a=group:BUNDLE')), `publish answer has BUNDLE:\n${peer.publishAnswer}`);
      const setups = lines.filter((l) => l.startsWith('a=setup:'));
      assert.ok(setups.length > 0 && setups.every((l) => l === 'a=setup:passive'), `publish answer setup lines ${setups}`);
      // One host candidate per announced address (one here) over UDP, and the same address
      // and port as a passive ICE-TCP candidate (RFC 6544), ranked below it.
      const candidates = [...new Set(lines.filter((l) => l.startsWith('a=candidate:')))];
      assert.equal(candidates.length, 2, `one UDP and one TCP candidate in publish answer: ${candidates}`);
      const cand = candidateFromSdp(peer.publishAnswer);
      assert.equal(cand.transport.toLowerCase(), 'udp');
      assert.equal(cand.type, 'host');
      assert.ok(cand.port > 0, `candidate port ${cand.port}`);
      const tcp = candidates[1].slice('a=candidate:'.length).split(' ');
      assert.equal(tcp[2], 'tcp', candidates[1]);
      assert.equal(`${tcp[4]} ${tcp[5]}`, `${cand.address} ${cand.port}`, candidates[1]);
      assert.ok(Number(tcp[3]) < cand.priority, `TCP ranks below UDP: ${candidates}`);
      assert.match(candidates[1], / typ host tcptype passive$/);
    }

    // each side gets a subscribe offer naming the other participant in a=msid
    for (const [receiver, sender] of [[a, b], [b, a]]) {
      const offer = await receiver.signaling.next((m) => m.type === 'subscribe_offer' &&
        mediaSectionsFromSdp(m.sdp).some((s) => s.participantId === sender.participantId), { timeout: 10000 });
      assert.equal(typeof offer.version, 'number');
      const sections = mediaSectionsFromSdp(offer.sdp).filter((s) => s.participantId === sender.participantId);
      assert.deepEqual(sections.map((s) => s.kind).sort(), ['audio', 'video'], `m-lines for ${sender.participantId}:\n${offer.sdp}`);
      const lines = sessionAndMediaLines(offer.sdp);
      const setups = lines.filter((l) => l.startsWith('a=setup:'));
      assert.ok(setups.length > 0 && setups.every((l) => l === 'a=setup:actpass'), `subscribe offer setup lines ${setups}`);
      assert.ok(lines.includes('a=ice-lite'), `subscribe offer has a=ice-lite:\n${offer.sdp}`);
      assert.ok(lines.some((l) => l.startsWith('a=candidate:')), `subscribe offer has a candidate:\n${offer.sdp}`);
      assert.ok(!mediaSectionsFromSdp(offer.sdp).some((s) => s.participantId === receiver.participantId),
        `subscribe offer must not echo the receiver's own tracks:\n${offer.sdp}`);
    }
  } finally {
    await closeAll([a, b]);
  }
});

test('two werift peers receive each other\'s audio and video, payloads intact', { timeout: 60000 }, async () => {
  const roomId = await createRoom(server);
  const [a, b] = await joinPair(server, roomId, 'media');
  try {
    await Promise.all([expectMediaFrom(a, b), expectMediaFrom(b, a)]);
    expectMediaOnlyFrom(a, [b]);
    expectMediaOnlyFrom(b, [a]);
    // and it keeps flowing
    await Promise.all([expectStillReceiving(a, b), expectStillReceiving(b, a)]);
  } finally {
    await closeAll([a, b]);
  }
});

test('two rooms on a 2-worker server: each pair receives only its partner', { timeout: 90000 }, async () => {
  const server2 = await startServer({ workers: 2 });
  const peers = [];
  try {
    const [room1, room2] = await Promise.all([createRoom(server2), createRoom(server2)]);
    const [a1, b1] = await joinPair(server2, room1, 'r1');
    peers.push(a1, b1);
    const [a2, b2] = await joinPair(server2, room2, 'r2');
    peers.push(a2, b2);
    await Promise.all([
      expectMediaFrom(a1, b1), expectMediaFrom(b1, a1),
      expectMediaFrom(a2, b2), expectMediaFrom(b2, a2),
    ]);
    await Promise.all([expectStillReceiving(a1, b1), expectStillReceiving(a2, b2)]);
    expectMediaOnlyFrom(a1, [b1]);
    expectMediaOnlyFrom(b1, [a1]);
    expectMediaOnlyFrom(a2, [b2]);
    expectMediaOnlyFrom(b2, [a2]);
    for (const p of [a1, b1]) {
      assert.ok(!p.messages.some((m) => m.type === 'participant_joined' && [a2.participantId, b2.participantId].includes(m.participant?.participant_id)),
        `room 1 participant ${p.participantId} heard of room 2's participants`);
    }
  } finally {
    await closeAll(peers);
    await server2.stop();
  }
});
