// Hostile and broken input through the real server: bad tokens, protocol abuse, garbage
// SDP and UDP, vanishing peers, room deletion — and no display name in the server's logs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRoom, createToken, deleteRoom, getRoom, startServer, wsUrl } from '../support/server.mjs';
import { closeAll, expectMediaFrom, expectStillReceiving } from './harness.mjs';
import { SignalingClient } from './signaling.mjs';
import { isStunBindingSuccess, sprayGarbage } from './udp-garbage.mjs';
import { delay, waitFor } from './wait.mjs';
import { candidateFromSdp, createPublisher, joinRoom, mediaSectionsFromSdp, setLocalAndGather } from './werift-peer.mjs';

let server;
/** Every display name used in this file; none may appear in the server's output. */
const NAMES = [];
const clients = [];

before(async () => {
  server = await startServer({ workers: 1 });
});

after(async () => {
  for (const c of clients) {
    c.terminate();
  }
  await server?.stop();
});

function uniqueName(label) {
  const name = `Zyxwvut Patientname ${label} Qqjx`;
  NAMES.push(name);
  return name;
}

async function token(roomId, identity, extra = {}) {
  const t = await createToken(server, roomId, { identity, name: uniqueName(identity), role: 'guest', ...extra });
  return t.token;
}

async function connect() {
  const c = await SignalingClient.connect(wsUrl(server));
  clients.push(c);
  return c;
}

/** Opens a socket and joins; returns {client, joined}. */
async function joinRaw(tok) {
  const client = await connect();
  client.send({ type: 'join', token: tok });
  const joined = await client.next('joined', { timeout: 5000 });
  return { client, joined };
}

/** Sends `raw` and waits for the first reply of `type` (or error) that arrived after it. */
async function reply(client, raw, predicate, timeout = 5000) {
  const from = client.messages.length;
  client.sendRaw(typeof raw === 'string' ? raw : JSON.stringify(raw));
  return client.next(predicate, { timeout, from });
}

/** docs/protocol.md: a fatal error closes the socket with 4000 + n. */
const CLOSE_CODES = {
  message_too_large: 4002,
  auth_required: 4003,
  token_invalid: 4004,
  token_expired: 4005,
  room_not_found: 4006,
  room_ended: 4007,
  duplicate_identity: 4008,
};

async function expectFatal(client, code) {
  const err = await client.nextError(code, { timeout: 5000 });
  assert.equal(err.code, code);
  const closeInfo = await client.waitClosed(5000);
  assert.equal(closeInfo.code, CLOSE_CODES[code], `close code after ${code}`);
  return err;
}

async function expectStillUsable(client) {
  const pong = await reply(client, { type: 'ping' }, (m) => m.type === 'pong' || m.type === 'error');
  assert.equal(pong.type, 'pong', `ping after the bad input got ${JSON.stringify(pong)}`);
  assert.ok(client.isOpen);
}

async function joinPair(tag) {
  const roomId = await createRoom(server);
  const [ta, tb] = await Promise.all([token(roomId, `a-${tag}`, { role: 'host' }), token(roomId, `b-${tag}`)]);
  const a = await joinRoom({ wsUrl: wsUrl(server), token: ta });
  const b = await joinRoom({ wsUrl: wsUrl(server), token: tb }).catch(async (err) => {
    await closeAll([a]);
    throw err;
  });
  return { roomId, a, b };
}

function tamper(tok, index) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const c = tok[index];
  const replacement = alphabet[(alphabet.indexOf(c) + 17) % alphabet.length];
  return tok.slice(0, index) + replacement + tok.slice(index + 1);
}

test('tampered or malformed token → token_invalid, socket closed', { timeout: 30000 }, async () => {
  const roomId = await createRoom(server);
  const good = await token(roomId, 'tamper');
  const lastDot = good.lastIndexOf('.');
  const variants = {
    // a character in the middle of the signature (the last one may only hold padding bits)
    signature: tamper(good, lastDot > 0 ? lastDot + 1 + Math.floor((good.length - lastDot - 1) / 2) : good.length - 8),
    // a character in the payload
    payload: tamper(good, Math.max(1, Math.floor((lastDot > 0 ? lastDot : good.length) / 2))),
    garbage: 'not-a-token',
  };
  for (const [what, tok] of Object.entries(variants)) {
    assert.notEqual(tok, good);
    const client = await connect();
    client.send({ type: 'join', token: tok });
    await expectFatal(client, 'token_invalid').catch((err) => {
      throw new Error(`${what} token: ${err.message}`);
    });
  }
});

test('an empty token → token_invalid (fatal) or invalid_message (socket stays open)', { timeout: 30000 }, async () => {
  // docs/protocol.md: "a join without token" is invalid_message; an empty string may count
  // as missing or as malformed. Either is fine; silence is not.
  const client = await connect();
  const msg = await reply(client, { type: 'join', token: '' }, (m) => m.type === 'error' || m.type === 'joined');
  assert.ok(['token_invalid', 'invalid_message'].includes(msg.code), `empty token got ${JSON.stringify(msg)}`);
  if (msg.code === 'token_invalid') {
    assert.equal((await client.waitClosed(5000)).code, CLOSE_CODES.token_invalid);
  } else {
    assert.ok(client.isOpen, 'socket open after invalid_message');
    const roomId = await createRoom(server);
    const joined = await reply(client, { type: 'join', token: await token(roomId, 'emptyfirst') }, (m) => m.type === 'joined' || m.type === 'error');
    assert.equal(joined.type, 'joined', `a good join after the empty token: ${JSON.stringify(joined)}`);
  }
});

test('expired token → token_expired', { timeout: 30000 }, async () => {
  const roomId = await createRoom(server);
  const tok = await token(roomId, 'expiring', { ttl_seconds: 1 });
  await delay(2500); // the token's lifetime has to pass; this is the thing under test
  const client = await connect();
  client.send({ type: 'join', token: tok });
  await expectFatal(client, 'token_expired');
});

test('token for an unknown room is refused (404); a deleted room\'s token → room_ended', { timeout: 30000 }, async () => {
  await assert.rejects(createToken(server, 'r_doesnotexist0000', { identity: 'ghost', name: uniqueName('ghost') }),
    (err) => err.status === 404, 'POST /rooms/<unknown>/tokens must be 404');
  const roomId = await createRoom(server);
  const tok = await token(roomId, 'late');
  await deleteRoom(server, roomId);
  const client = await connect();
  client.send({ type: 'join', token: tok });
  await expectFatal(client, 'room_ended');
});

test('same identity joins again → the older socket gets duplicate_identity, the new one works', { timeout: 30000 }, async () => {
  const roomId = await createRoom(server);
  const tok = await token(roomId, 'twice');
  const first = await joinRaw(tok);
  const second = await joinRaw(tok);
  await expectFatal(first.client, 'duplicate_identity');
  assert.equal(second.joined.identity, 'twice');
  await expectStillUsable(second.client);
  assert.ok(!second.client.messages.some((m) => m.type === 'error'), `new socket got errors: ${second.client.summary()}`);
});

test('malformed messages after join → invalid_message, socket stays usable; second join → already_joined', { timeout: 30000 }, async () => {
  const roomId = await createRoom(server);
  const tok = await token(roomId, 'sloppy');
  const { client } = await joinRaw(tok);
  const bad = [
    '{not json',
    '',
    '[1,2,3]',
    '"join"',
    'null',
    '{"no_type":true}',
    '{"type":42}',
    '{"type":"nonsense"}',
    '{"type":"publish_offer"}',
    '{"type":"publish_offer","sdp":5}',
    '{"type":"subscribe_answer","sdp":"v=0","version":"one"}',
    '{"type":"track_state","kind":"audio"}',
    '{"type":"track_state","kind":"audio","muted":"yes"}',
  ];
  for (const raw of bad) {
    const msg = await reply(client, raw, (m) => m.type === 'error');
    assert.equal(msg.code, 'invalid_message', `for ${JSON.stringify(raw)} got ${JSON.stringify(msg)}`);
    await expectStillUsable(client);
  }
  const again = await reply(client, { type: 'join', token: tok }, (m) => m.type === 'error' || m.type === 'joined');
  assert.equal(again.code, 'already_joined', `second join got ${JSON.stringify(again)}`);
  await expectStillUsable(client);
});

test('a 70 KiB frame → message_too_large, socket closed', { timeout: 30000 }, async () => {
  const roomId = await createRoom(server);
  const { client } = await joinRaw(await token(roomId, 'chatty'));
  client.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70 * 1024) }));
  await expectFatal(client, 'message_too_large');
});

test('messages before join → auth_required, socket closed', { timeout: 30000 }, async () => {
  for (const first of [{ type: 'ping' }, { type: 'publish_offer', sdp: 'v=0' }, { type: 'leave' }]) {
    const client = await connect();
    client.send(first);
    await expectFatal(client, 'auth_required').catch((err) => {
      throw new Error(`first message ${first.type}: ${err.message}`);
    });
  }
});

test('no join within 10 s → auth_required, socket closed', { timeout: 30000 }, async () => {
  const client = await connect();
  const opened = Date.now();
  // the protocol's join deadline has to pass; this is the thing under test
  const err = await client.nextError('auth_required', { timeout: 15000 });
  assert.equal(err.code, 'auth_required');
  const elapsed = Date.now() - opened;
  assert.ok(elapsed >= 9000 && elapsed <= 14000, `auth_required after ${elapsed} ms, expected about 10 s`);
  const closeInfo = await client.waitClosed(5000);
  assert.equal(closeInfo.code, CLOSE_CODES.auth_required, 'close code');
});

test('an invalid frame before join → invalid_message, the socket stays open and can still join', { timeout: 30000 }, async () => {
  const roomId = await createRoom(server);
  const client = await connect();
  for (const raw of ['{oops', '{"type":"nonsense"}', '{"type":"join"}', '{"type":"join","token":7}']) {
    const msg = await reply(client, raw, (m) => m.type === 'error');
    assert.equal(msg.code, 'invalid_message', `before join, ${raw} got ${JSON.stringify(msg)}`);
    assert.ok(client.isOpen, `socket open after ${raw}`);
  }
  const joined = await reply(client, { type: 'join', token: await token(roomId, 'prejoin') }, (m) => m.type === 'joined' || m.type === 'error');
  assert.equal(joined.type, 'joined', JSON.stringify(joined));
});

test('garbage SDP in publish_offer → sdp_invalid; a good offer afterwards is answered', { timeout: 30000 }, async () => {
  const roomId = await createRoom(server);
  const { client } = await joinRaw(await token(roomId, 'sdpjunk'));
  const publisher = createPublisher({ audio: true, video: true, markerId: 'sdpjunk0' });
  try {
    const goodSdp = await setLocalAndGather(publisher.pc, await publisher.pc.createOffer());
    const lines = goodSdp.split('\r\n');
    const bad = {
      garbage: 'this is not an SDP at all \u0000\u00ff',
      truncated: goodSdp.slice(0, 120),
      'no ICE credentials': lines.filter((l) => !l.startsWith('a=ice-ufrag') && !l.startsWith('a=ice-pwd')).join('\r\n'),
      'no fingerprint': lines.filter((l) => !l.startsWith('a=fingerprint')).join('\r\n'),
      'no BUNDLE': lines.filter((l) => !l.startsWith('a=group:BUNDLE')).join('\r\n'),
      'no common codec': goodSdp.replace(/opus\/48000\/2/g, 'x-nosuch/8000').replace(/VP8\/90000/g, 'x-nosuchvideo/90000'),
      'huge port': goodSdp.replace(/^m=audio \d+/m, 'm=audio 999999999999'),
    };
    for (const [what, sdp] of Object.entries(bad)) {
      const msg = await reply(client, { type: 'publish_offer', sdp }, (m) => m.type === 'error' || m.type === 'publish_answer');
      assert.equal(msg.code, 'sdp_invalid', `${what}: got ${JSON.stringify(msg).slice(0, 300)}`);
      await expectStillUsable(client);
    }
    const answer = await reply(client, { type: 'publish_offer', sdp: goodSdp }, (m) => m.type === 'error' || m.type === 'publish_answer');
    assert.equal(answer.type, 'publish_answer', `good offer after bad ones: ${JSON.stringify(answer).slice(0, 300)}`);
  } finally {
    await publisher.pc.close();
  }
});

function iceUfrag(sdp) {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
}

test('garbage UDP to the media port: server keeps running, the call keeps its media', { timeout: 90000 }, async () => {
  const { roomId, a, b } = await joinPair('udp');
  try {
    await Promise.all([expectMediaFrom(a, b), expectMediaFrom(b, a)]);
    const targets = new Map();
    for (const sdp of [a.publishAnswer, b.publishAnswer, ...a.subscriber.offers.map((o) => o.sdp), ...b.subscriber.offers.map((o) => o.sdp)]) {
      const c = candidateFromSdp(sdp);
      if (c) {
        targets.set(`${c.address}:${c.port}`, c);
      }
    }
    assert.ok(targets.size > 0, 'a media candidate in the server SDP');
    // USERNAME = <server ufrag>:<client ufrag> (RFC 8445 §7.2.2) of A's publisher session
    const username = `${iceUfrag(a.publishAnswer)}:${iceUfrag(a.publisher.pc.localDescription.sdp)}`;
    const spray = await sprayGarbage([...targets.values()], { rounds: 40, username });
    try {
      await Promise.all([expectStillReceiving(a, b, { more: 100 }), expectStillReceiving(b, a, { more: 100 })]);
      assert.equal(server.process.exitCode, null, `server exited: ${server.logs().slice(-2000)}`);
      const room = await getRoom(server, roomId);
      assert.ok(room, 'GET room still answers');
      const successes = spray.responses.filter(isStunBindingSuccess);
      assert.equal(successes.length, 0, `server answered ${successes.length} Binding requests with a bad MESSAGE-INTEGRITY with success`);
    } finally {
      await spray.close();
    }
  } finally {
    await closeAll([a, b]);
  }
});

test('a participant vanishing mid-handshake → participant_left to the others, who keep working', { timeout: 90000 }, async () => {
  const { roomId, a, b } = await joinPair('vanish');
  const publisher = createPublisher({ audio: true, video: true, markerId: 'vanish00' });
  try {
    await Promise.all([expectMediaFrom(a, b), expectMediaFrom(b, a)]);
    const { client: c, joined } = await joinRaw(await token(roomId, 'c-vanish'));
    const cId = joined.participant_id;
    await a.signaling.next((m) => m.type === 'participant_joined' && m.participant?.participant_id === cId, { timeout: 5000 });
    const offer = await setLocalAndGather(publisher.pc, await publisher.pc.createOffer());
    const answer = await reply(c, { type: 'publish_offer', sdp: offer }, (m) => m.type === 'publish_answer' || m.type === 'error', 5000);
    assert.equal(answer.type, 'publish_answer');
    // never apply the answer: no ICE check ever reaches the server; then drop the TCP connection
    c.terminate();
    await publisher.pc.close();
    // A dropped socket is held for the resume grace (30 s, docs/protocol.md "Session
    // resume"): the others hear of the leave once it has passed.
    for (const peer of [a, b]) {
      await peer.signaling.next((m) => m.type === 'participant_left' && m.participant_id === cId, { timeout: 40000 });
    }
    await Promise.all([expectStillReceiving(a, b), expectStillReceiving(b, a)]);
    assert.ok(a.signaling.isOpen && b.signaling.isOpen);
    // a subscribe offer sent after C left must not still carry C's tracks as active
    await waitFor(() => {
      const last = a.subscriber.offers.at(-1);
      return last && !mediaSectionsFromSdp(last.sdp).some((s) => s.participantId === cId && s.port !== 0 && s.direction !== 'inactive');
    }, { timeout: 10000, message: () => `A's latest subscribe offer without active tracks of ${cId}: ${a.subscriber.offers.at(-1)?.sdp}` }).catch((err) => {
      // tolerated if C's tracks were never offered at all
      if (a.subscriber.offers.some((o) => mediaSectionsFromSdp(o.sdp).some((s) => s.participantId === cId))) {
        throw err;
      }
    });
  } finally {
    await publisher.pc.close().catch(() => {});
    await closeAll([a, b]);
  }
});

test('DELETE /api/v1/rooms/{id} → everyone gets room_ended and is disconnected', { timeout: 60000 }, async () => {
  const { roomId, a, b } = await joinPair('delete');
  try {
    await Promise.all([expectMediaFrom(a, b, { min: 10 }), expectMediaFrom(b, a, { min: 10 })]);
    await deleteRoom(server, roomId);
    for (const peer of [a, b]) {
      const ended = await peer.signaling.next('room_ended', { timeout: 5000 });
      assert.equal(ended.reason, 'ended_by_api');
      const closeInfo = await peer.signaling.waitClosed(5000);
      assert.equal(closeInfo.code, 4007, 'close code after room_ended');
      assert.ok(!peer.messages.some((m) => m.type === 'participant_left'), `no participant_left on room end: ${peer.signaling.summary()}`);
    }
  } finally {
    await closeAll([a, b]);
  }
});

test('the server is still healthy and its logs contain no display name', { timeout: 30000 }, async () => {
  assert.equal(server.process.exitCode, null, 'server still running');
  const roomId = await createRoom(server);
  assert.ok(await getRoom(server, roomId), `GET /api/v1/rooms/${roomId}`);
  const logs = server.logs();
  assert.ok(NAMES.length > 10, `names were used (${NAMES.length})`);
  const leaked = NAMES.filter((name) => logs.includes(name));
  const leakedParts = ['Zyxwvut', 'Patientname'].filter((part) => logs.includes(part));
  assert.deepEqual(leaked, [], 'display names in server logs');
  assert.deepEqual(leakedParts, [], 'parts of display names in server logs');
});
