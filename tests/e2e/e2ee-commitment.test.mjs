// The commitment round behind the security code (web/src/call/e2ee/commitment.ts,
// docs/e2ee.md "Security code"), in node with WebCrypto: participants exchange commit and
// reveal messages through an in-memory relay that plays the server (it may drop, hold
// back or change what it carries, as a malicious server could with the opaque blobs when
// it sits in the middle of the pairwise channels). Checked: the code is identical across
// participants and changes per epoch (membership change); no nonce is revealed before a
// commitment from every other participant acknowledges ours; a reveal that does not
// match its commitment is refused and the code reads "not secure"; a commitment changed
// within its round, or a second one after our reveal, cannot steer the code; and in a
// peer-to-peer call the DTLS fingerprints are in the code: a server that rewrites one in
// the SDP it relays makes the codes differ. A server that makes a participant start round
// after round (to grind for a matching code) drives its code to "not secure" ('restarts')
// after a bounded number of reveals, while the joins and leaves of a consultation do not.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { loadE2eeModule } from '../support/e2ee.mjs';

const { SasRounds, commitmentOf, RESTART_LIMIT, RESTART_WINDOW_MS, PEER_RESTART_LIMIT } = await loadE2eeModule('commitment');
const { shortAuthString } = await loadE2eeModule('sas');
const { sdpFingerprints, sdpPeerFingerprint, certificateFingerprints } = await loadE2eeModule('dtls-fingerprint');

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');

/** A call of participants whose messages go through `relay` (FIFO per call, like the server). */
function call(ids, { now } = {}) {
  const queue = [];
  const sent = [];
  const parties = new Map();
  for (const id of ids) {
    const publicKey = b64(Buffer.concat([Buffer.of(4), randomBytes(64)]));
    const rounds = new SasRounds(publicKey, async (to, msg) => {
      sent.push({ from: id, to, msg });
      queue.push({ from: id, to, msg });
    }, now);
    parties.set(id, { id, publicKey, rounds });
  }
  return {
    parties,
    sent,
    queue,
    get: (id) => parties.get(id).rounds,
    /** Tells each of `ids` who else is in the call (all reachable). */
    async members(who = [...parties.keys()]) {
      for (const id of who) {
        const others = new Map(who.filter((o) => o !== id).map((o) => [o, { publicKey: parties.get(o).publicKey, reachable: true }]));
        await parties.get(id).rounds.setMembers(others);
      }
    },
    /** Delivers queued messages; `tamper(m)` may return a changed message or null (dropped). */
    async pump(tamper = (m) => m) {
      for (let i = 0; i < 10_000 && queue.length > 0; i += 1) {
        const m = tamper(queue.shift());
        if (m && parties.has(m.to)) {
          await parties.get(m.to).rounds.receive(m.from, m.msg);
        }
      }
      assert.equal(queue.length, 0, 'the rounds settle');
    },
    /** The seqs `id` revealed a nonce for. */
    reveals(id) {
      return new Set(sent.filter((m) => m.from === id && m.msg.sas === 'reveal').map((m) => m.msg.seq));
    },
    async states(who = [...parties.keys()]) {
      return Promise.all(who.map((id) => parties.get(id).rounds.state()));
    },
  };
}

function sameCode(states) {
  for (const s of states) {
    assert.equal(s.kind, 'code', `a code on every screen: ${JSON.stringify(states)}`);
  }
  assert.ok(states.every((s) => s.code === states[0].code), `the same code everywhere: ${states.map((s) => s.code)}`);
  assert.match(states[0].code, /^\d{3} \d{3}$/);
  return states[0].code;
}

test('the code is identical across participants and changes with every epoch', async () => {
  const c = call(['a', 'b', 'c']);
  await c.members(['a', 'b']);
  await c.pump();
  const two = sameCode(await c.states(['a', 'b']));

  await c.members(['a', 'b', 'c']);
  await c.pump();
  const three = sameCode(await c.states());
  assert.notEqual(three, two, 'someone joined');

  // c leaves: the membership is that of the first epoch again, the code is not.
  await c.members(['a', 'b']);
  await c.pump();
  const again = sameCode(await c.states(['a', 'b']));
  assert.notEqual(again, two, 'the same people as before get a new code: fresh nonces');
  assert.notEqual(again, three);

  // Messages crossing (both start a round at once, delivered in any interleaving) settle too.
  await c.members(['a', 'b', 'c']);
  await c.pump();
  sameCode(await c.states());
});

test('no nonce is revealed before every other participant committed after seeing our commitment', async () => {
  const c = call(['a', 'b', 'c']);
  await c.members();
  // The relay holds back everything c sends: a and b have no commitment from c.
  const held = [];
  await c.pump((m) => (m.from === 'c' ? void held.push(m) ?? null : m));
  for (const id of ['a', 'b']) {
    assert.equal(c.get(id).hasRevealed, false, `${id} has not revealed`);
    assert.ok(!c.sent.some((m) => m.from === id && m.msg.sas === 'reveal'), `${id} sent no reveal`);
    assert.equal((await c.get(id).state()).kind, 'pending', `${id} reads "Being set up…"`);
  }
  // c's commitment arrives: now everyone reveals and the codes agree.
  c.queue.unshift(...held);
  await c.pump();
  sameCode(await c.states());
  for (const id of ['a', 'b', 'c']) {
    const reveal = c.sent.findIndex((m) => m.from === id && m.msg.sas === 'reveal');
    for (const other of ['a', 'b', 'c'].filter((o) => o !== id)) {
      const commit = c.sent.findIndex((m) => m.from === other && m.to === id && m.msg.sas === 'commit');
      assert.ok(commit >= 0 && commit < reveal, `${other}'s commitment to ${id} went before ${id}'s reveal`);
    }
  }
});

test('a reveal that does not match its commitment is refused: the code reads not secure, naming whose', async () => {
  const c = call(['a', 'b']);
  await c.members();
  // The server swaps b's nonce in the reveal it relays to a (only possible in the middle of the pairwise channel).
  await c.pump((m) => (m.from === 'b' && m.msg.sas === 'reveal' ? { ...m, msg: { ...m.msg, nonce: b64(randomBytes(32)) } } : m));
  const [a, b] = await c.states();
  assert.equal(a.kind, 'not_secure');
  assert.equal(a.failures.get('b'), 'reveal');
  assert.equal(b.kind, 'code', 'b saw nothing wrong');

  // Nor does a reveal with a changed fingerprint, or one cut short, pass as b's.
  const d = call(['a', 'b']);
  await d.members();
  await d.pump((m) => (m.from === 'b' && m.msg.sas === 'reveal' ? { ...m, msg: { ...m.msg, fp: 'sha-256 00:11' } } : m));
  assert.equal((await d.get('a').state()).failures.get('b'), 'reveal');
});

test('a commitment changed within its round is refused; one sent after our reveal only starts a fresh round', async () => {
  const c = call(['a', 'b']);
  await c.members();
  await c.pump();
  const before = sameCode(await c.states());
  const { rounds: a } = c.parties.get('a');
  const bKey = c.parties.get('b').publicKey;
  const held = c.sent.filter((m) => m.from === 'b' && m.to === 'a' && m.msg.sas === 'commit').at(-1).msg;

  // The server, having seen a's nonce, tries another value for b in the same round.
  await a.receive('b', { sas: 'commit', seq: held.seq, hash: await commitmentOf(bKey, '', randomBytes(32)), ack: held.ack });
  assert.equal((await a.state()).failures.get('b'), 'changed');

  // In a new round of b's: a takes a fresh nonce of its own before anything of b's counts,
  // so what the server now picks cannot be fitted to a nonce it has seen.
  const d = call(['a', 'b']);
  await d.members();
  await d.pump();
  const first = sameCode(await d.states());
  const revealsBefore = d.sent.filter((m) => m.from === 'a' && m.msg.sas === 'reveal').map((m) => m.msg.nonce);
  const last = d.sent.filter((m) => m.from === 'b' && m.to === 'a' && m.msg.sas === 'commit').at(-1).msg;
  const nonce = randomBytes(32);
  await d.get('a').receive('b', { sas: 'commit', seq: last.seq + 1, hash: await commitmentOf(d.parties.get('b').publicKey, '', nonce), ack: last.ack });
  assert.equal(d.get('a').hasRevealed, false, 'a has a new nonce, not yet revealed');
  await d.get('a').receive('b', { sas: 'reveal', seq: last.seq + 1, nonce: b64(nonce), fp: '' });
  assert.equal((await d.get('a').state()).kind, 'pending', 'a forged reveal does not give a code before a has revealed again');
  assert.notEqual(first, before, 'two calls, two codes');
  // a's fresh commitment went out; a's next reveal carries a new nonce.
  d.queue.length = 0;
  await d.get('a').receive('b', { sas: 'commit', seq: last.seq + 1, hash: await commitmentOf(d.parties.get('b').publicKey, '', nonce), ack: last.ack + 1 });
  const revealsAfter = d.sent.filter((m) => m.from === 'a' && m.msg.sas === 'reveal').map((m) => m.msg.nonce);
  assert.equal(revealsAfter.length, revealsBefore.length + 1, 'a revealed once more');
  assert.ok(!revealsBefore.includes(revealsAfter.at(-1)), 'with a nonce it never revealed before');
});

test('peer to peer: both DTLS fingerprints are in the code; a rewritten one makes the codes differ', async () => {
  const fpA = sdpPeerFingerprint('v=0\r\na=fingerprint:sha-256 aa:bb:cc\r\n').fp;
  assert.equal(fpA, 'sha-256 AA:BB:CC');
  assert.equal(sdpPeerFingerprint('v=0\r\n').fp, '');
  const fpB = 'sha-256 11:22:33';
  const fpServer = 'sha-256 66:66:66';

  const c = call(['a', 'b']);
  await c.members();
  await c.pump();
  const sfu = sameCode(await c.states());
  // Each side's own fingerprint from its local description, the peer's from the remote one.
  c.get('a').setRemoteFingerprint('b', fpB);
  c.get('b').setRemoteFingerprint('a', fpA);
  await c.get('a').setOwnFingerprint(fpA);
  await c.get('b').setOwnFingerprint(fpB);
  await c.pump();
  const p2p = sameCode(await c.states());
  assert.notEqual(p2p, sfu, 'the fingerprints are in the code');

  // The server rewrote b's fingerprint in the answer it relayed to a: a connects to the server.
  const m = call(['a', 'b']);
  await m.members();
  m.get('a').setRemoteFingerprint('b', fpServer);
  m.get('b').setRemoteFingerprint('a', fpA);
  await m.get('a').setOwnFingerprint(fpA);
  await m.get('b').setOwnFingerprint(fpB);
  await m.pump();
  const [a, b] = await m.states();
  assert.equal(a.kind, 'not_secure');
  assert.equal(a.failures.get('b'), 'fingerprint');
  assert.notEqual(a.code, b.code);

  // The code itself: one fingerprint changed, another code.
  const nonce = randomBytes(32);
  const entries = [
    { publicKey: 'BAAA', nonce, fingerprint: fpA },
    { publicKey: 'BBBB', nonce: randomBytes(32), fingerprint: fpB },
  ];
  const code = await shortAuthString(entries);
  assert.equal(await shortAuthString([...entries].reverse()), code, 'order-free');
  assert.notEqual(await shortAuthString([entries[0], { ...entries[1], fingerprint: fpServer }]), code);
  assert.notEqual(await shortAuthString([{ ...entries[0], nonce: randomBytes(32) }, entries[1]]), code, 'a new nonce');
});

test('peer to peer: a relayed description naming two certificates (session and media level) is "not secure", whatever the first line says', async () => {
  const genuine = 'sha-256 11:22:33';
  // The server keeps b's genuine fingerprint at session level, where a first-line regex
  // finds it, and puts its own on every m-line, which the browser checks instead.
  const relayed = [
    'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=fingerprint:sha-256 11:22:33',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=fingerprint:sha-256 66:66:66',
    'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=fingerprint:SHA-256 66:66:66', '',
  ].join('\r\n');
  assert.deepEqual(sdpFingerprints(relayed), [genuine, 'sha-256 66:66:66'], 'every level, normalised, distinct');
  assert.deepEqual(sdpPeerFingerprint(relayed), { fp: '', conflict: true });
  assert.deepEqual(sdpPeerFingerprint(relayed.replaceAll('66:66:66', '11:22:33')), { fp: genuine, conflict: false }, 'the same certificate on every line is fine');
  assert.equal(sdpPeerFingerprint('v=0\r\na=fingerprint:sha-256 11:22:33\r\na=fingerprint:sha-1 11:22:33\r\n').conflict, true, 'another algorithm too');
  assert.equal(sdpPeerFingerprint('v=0\r\na=fingerprint:sha-256 11:22:33\r\na=fingerprint:sha-256\t??\r\n').conflict, true, 'a line we cannot parse counts');
  assert.deepEqual(sdpPeerFingerprint('v=0\r\n'), { fp: '', conflict: false });

  // b committed to its genuine certificate; a's connection names two for it.
  const c = call(['a', 'b']);
  await c.members();
  c.get('a').setRemoteFingerprint('b', '', true);
  c.get('b').setRemoteFingerprint('a', 'sha-256 AA:AA');
  await c.get('a').setOwnFingerprint('sha-256 AA:AA');
  await c.get('b').setOwnFingerprint(genuine);
  await c.pump();
  const [a, b] = await c.states();
  assert.equal(a.kind, 'not_secure');
  assert.equal(a.failures.get('b'), 'fingerprint');
  assert.notEqual(a.code, b.code);
  // Leaving the direct connection clears it.
  c.get('a').setRemoteFingerprint('', '');
  await c.get('a').setOwnFingerprint('');
  await c.get('b').setOwnFingerprint('');
  c.get('b').setRemoteFingerprint('', '');
  await c.pump();
  sameCode(await c.states());
});

test('peer to peer: the fingerprints of the certificates the DTLS transport really uses (getStats)', () => {
  const report = (entries) => new Map(entries.map((s) => [s.id, s]));
  const chromium = report([
    { id: 'T01', type: 'transport', dtlsState: 'connected', localCertificateId: 'CFaa', remoteCertificateId: 'CFbb' },
    { id: 'CFaa', type: 'certificate', fingerprintAlgorithm: 'sha-256', fingerprint: 'aa:aa' },
    { id: 'CFbb', type: 'certificate', fingerprintAlgorithm: 'SHA-256', fingerprint: 'BB:BB' },
  ]);
  assert.deepEqual(certificateFingerprints(chromium), { local: 'sha-256 AA:AA', remote: 'sha-256 BB:BB', conflict: false });
  assert.deepEqual(certificateFingerprints(report([{ id: 'T01', type: 'transport', dtlsState: 'new' }])), { local: '', remote: '', conflict: false }, 'not up yet');
  const twoPeers = report([
    ...chromium.values(),
    { id: 'T02', type: 'transport', localCertificateId: 'CFaa', remoteCertificateId: 'CFcc' },
    { id: 'CFcc', type: 'certificate', fingerprintAlgorithm: 'sha-256', fingerprint: 'CC:CC' },
  ]);
  assert.deepEqual(certificateFingerprints(twoPeers), { local: 'sha-256 AA:AA', remote: '', conflict: true }, 'two transports, two peer certificates');
});

/** Each of `who` learns the membership in turn, its messages delivered before the next learns it (the slowest order). */
async function staggered(c, who) {
  for (const id of who) {
    const others = new Map(who.filter((o) => o !== id).map((o) => [o, { publicKey: c.parties.get(o).publicKey, reachable: true }]));
    await c.get(id).setMembers(others);
    await c.pump();
  }
}

test('a peer that keeps restarting the round after we revealed is cut off: not secure (restarts)', async () => {
  const c = call(['a', 'b']);
  await c.members();
  await c.pump();
  sameCode(await c.states());
  const a = c.get('a');
  const bKey = c.parties.get('b').publicKey;
  let seq = c.sent.filter((m) => m.from === 'b' && m.msg.sas === 'commit').at(-1).msg.seq;
  // The server, as b toward a: a fresh commitment after every reveal of a's, acknowledging
  // a's new round once a has sent it (a's messages to b it keeps to itself).
  c.queue.length = 0;
  const before = c.reveals('a').size;
  for (let i = 1; i <= PEER_RESTART_LIMIT + 3; i += 1) {
    const held = await commitmentOf(bKey, '', randomBytes(32));
    seq += 1;
    await a.receive('b', { sas: 'commit', seq, hash: held, ack: 0 });
    const mine = c.sent.filter((m) => m.from === 'a' && m.msg.sas === 'commit').at(-1).msg.seq;
    await a.receive('b', { sas: 'commit', seq, hash: held, ack: mine });
    const state = await a.state();
    if (i <= PEER_RESTART_LIMIT) {
      assert.notEqual(state.kind, 'not_secure', `restart ${i} is within the bound`);
      assert.equal(a.hasRevealed, true, `a revealed round ${i}`);
    } else {
      assert.equal(state.kind, 'not_secure', `restart ${i} is past the bound`);
      assert.equal(state.failures.get('b'), 'restarts');
    }
  }
  assert.equal(c.reveals('a').size - before, PEER_RESTART_LIMIT, 'a revealed a nonce only for the restarts within the bound');
});

/** The server announces a new public key for b to `a` (a rotation, or a leave and rejoin) and plays b in the round: one reveal of a's. */
async function fakeRound(c, a, seq) {
  const fake = b64(Buffer.concat([Buffer.of(4), randomBytes(64)]));
  await a.setMembers(new Map([['b', { publicKey: fake, reachable: true }]]));
  const nonce = randomBytes(32);
  const mine = c.sent.filter((m) => m.from === 'a' && m.msg.sas === 'commit').at(-1).msg.seq;
  await a.receive('b', { sas: 'commit', seq, hash: await commitmentOf(fake, '', nonce), ack: mine });
  assert.equal(a.hasRevealed, true, `a revealed round ${seq}`);
  await a.receive('b', { sas: 'reveal', seq, nonce: b64(nonce), fp: '' });
  c.queue.length = 0; // nothing of it reaches the real b
}

test('a server that fakes key changes round after round gets a bounded number of reveals, then not secure', async () => {
  let now = 0;
  const c = call(['a', 'b'], { now: () => now });
  await c.members();
  await c.pump();
  sameCode(await c.states());
  const a = c.get('a');
  c.queue.length = 0;
  // A fake key change for b every second, each round ending in a reveal of a's (one attempt).
  for (let i = 0; i < RESTART_LIMIT + 4; i += 1) {
    now += 1000;
    await fakeRound(c, a, 100 + i);
    const state = await a.state();
    if (c.reveals('a').size <= RESTART_LIMIT) {
      assert.equal(state.kind, 'code', `reveal ${c.reveals('a').size} shows a code`);
    } else {
      assert.equal(state.kind, 'not_secure', `reveal ${c.reveals('a').size} within ${RESTART_WINDOW_MS} ms: no code any more`);
      assert.equal(state.failures.get('b'), 'restarts');
      assert.ok(a.alarmUntil > now);
    }
  }
  assert.equal((await a.state()).kind, 'not_secure');
});

test('four joins and leaves within a minute, news arriving one participant at a time, raise no alarm', async () => {
  let now = 0;
  const c = call(['a', 'b', 'c', 'd'], { now: () => now });
  for (const who of [['a', 'b'], ['a', 'b', 'c'], ['a', 'b', 'c', 'd'], ['a', 'b', 'd'], ['a', 'b']]) {
    now += 12_000;
    await staggered(c, who);
    sameCode(await c.states(who));
    for (const id of who) {
      assert.equal(c.get(id).alarmUntil, null, `${id}: no alarm`);
    }
  }
  for (const id of ['a', 'b', 'c', 'd']) {
    // docs/e2ee.md: at most 10 reveals for four changes (two per change and the first round).
    assert.ok(c.reveals(id).size <= 10, `${id} revealed ${c.reveals(id).size} times`);
  }
});

test('after the alarm, a quiet window and a normal round bring the code back', async () => {
  let now = 0;
  const c = call(['a', 'b'], { now: () => now });
  await c.members();
  await c.pump();
  sameCode(await c.states());
  c.queue.length = 0;
  // A burst of fake key changes, faster than any call has them.
  for (let i = 0; c.get('a').alarmUntil === null; i += 1) {
    assert.ok(i <= RESTART_LIMIT, 'the alarm goes off after the bound');
    now += 500;
    await fakeRound(c, c.get('a'), 100 + i);
  }
  // The real b is back (the server gives up): a round with it completes, every reveal
  // in, but within the window: still no code.
  await c.get('a').setMembers(new Map([['b', { publicKey: c.parties.get('b').publicKey, reachable: true }]]));
  await c.pump();
  assert.equal((await c.get('b').state()).kind, 'code', 'b saw a normal round');
  const until = c.get('a').alarmUntil;
  assert.ok(until !== null && until > now, 'the alarm is on');
  assert.equal((await c.get('a').state()).failures.get('b'), 'restarts');
  await c.get('a').afterAlarm();
  assert.equal(c.queue.length, 0, 'no fresh round before the window has passed');
  now = until;
  await c.get('a').afterAlarm();
  const queued = c.queue.length;
  assert.ok(queued > 0, 'a fresh round once the window has passed');
  await c.get('a').afterAlarm();
  assert.equal(c.queue.length, queued, 'and only one while it is under way');
  await c.pump();
  sameCode(await c.states());
  assert.equal(c.get('a').alarmUntil, null);
});
