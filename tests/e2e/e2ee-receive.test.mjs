// The SFrame worker's receive side (web/src/call/e2ee/receive-keys.ts), in node: keys are
// held per sender, a KID belongs to the sender that gave it first, so another participant
// can neither overwrite nor drop it (refused and counted), and a receiver of one sender's
// track decrypts only with that sender's keys. Each key has a replay window
// (replay-window.ts, 1024 counters behind the highest): a frame seen before or too old is
// dropped and counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadE2eeModule } from '../support/e2ee.mjs';

const prefix = Uint8Array.of(0x90);
const base = (b) => new Uint8Array(16).fill(b);

test('a key id stays with its sender: another cannot overwrite or drop it, nor decrypt as it', async () => {
  const sframe = await loadE2eeModule('sframe');
  const { ReceiveKeys, decryptFrom } = await loadE2eeModule('receive-keys');
  const keys = new ReceiveKeys();
  const aKey = await sframe.importSFrameKey(7000n, base(1));
  const bKey = await sframe.importSFrameKey(8000n, base(2));
  assert.equal(keys.add('p_a', aKey), true);
  assert.equal(keys.add('p_b', bKey), true);
  const frame = await sframe.encrypt(aKey, 1n, prefix, new TextEncoder().encode('from A'));

  // B claims A's KID with its own key material: refused, A's frames still decrypt.
  const forged = await sframe.importSFrameKey(7000n, base(3));
  assert.equal(keys.add('p_b', forged), false);
  assert.equal(keys.refused, 1);
  const opened = await decryptFrom(keys, 'p_a', frame, prefix);
  assert.equal(new TextDecoder().decode(opened.plaintext), 'from A');

  // B drops A's KID: refused, still there.
  assert.equal(keys.drop('p_b', 7000n), false);
  assert.equal(keys.refused, 2);
  assert.ok(keys.get('p_a', 7000n));

  // A's frame on B's track (the SFU or B passing it off as B's), or on a track whose sender
  // we do not know: no key.
  await assert.rejects(decryptFrom(keys, 'p_b', frame, prefix), /unknown key id/);
  await assert.rejects(decryptFrom(keys, undefined, frame, prefix), /unknown key id/);

  // B's frames with B's KID on A's track do not decrypt either.
  const bFrame = await sframe.encrypt(bKey, 1n, prefix, new TextEncoder().encode('from B'));
  await assert.rejects(decryptFrom(keys, 'p_a', bFrame, prefix), /unknown key id/);

  // A drops its own key: gone, and the KID stays A's (B still cannot take it).
  assert.equal(keys.drop('p_a', 7000n), true);
  assert.equal(keys.get('p_a', 7000n), undefined);
  assert.equal(keys.add('p_b', forged), false);
  // A re-sending its own KID is fine.
  assert.equal(keys.add('p_a', aKey), true);
});

test('the replay window: each counter once, up to 1024 behind the highest seen', async () => {
  const { ReplayWindow, REPLAY_WINDOW } = await loadE2eeModule('replay-window');
  assert.equal(REPLAY_WINDOW, 1024n);
  const w = new ReplayWindow();
  assert.equal(w.accept(0n), true);
  assert.equal(w.accept(0n), false, 'the same counter twice');
  assert.equal(w.accept(5n), true);
  assert.equal(w.accept(3n), true, 'out of order inside the window (audio and video interleaved)');
  assert.equal(w.check(3n), false);
  assert.equal(w.accept(3n), false);
  assert.equal(w.accept(2000n), true);
  assert.equal(w.accept(2000n - 1024n), false, 'at highest − window');
  assert.equal(w.accept(2000n - 1023n), true, 'just inside the window');
  assert.equal(w.accept(2000n - 1023n), false);
  assert.equal(w.accept(1500n), true);
  // Moving on by less than the window forgets exactly what falls out of it.
  assert.equal(w.accept(2500n), true);
  assert.equal(w.accept(1500n), false, '1500 was seen and is still inside (2500 − 1024 = 1476)');
  assert.equal(w.accept(1476n), false, 'at highest − window');
  assert.equal(w.accept(1477n), true);
  assert.equal(w.accept(2499n), true);
  assert.equal(w.accept(2499n), false);
});

test('decrypting drops a replayed frame and counts it; a forged counter does not move the window', async () => {
  const sframe = await loadE2eeModule('sframe');
  const { ReceiveKeys, decryptFrom } = await loadE2eeModule('receive-keys');
  const keys = new ReceiveKeys();
  const aKey = await sframe.importSFrameKey(7000n, base(1));
  keys.add('p_a', aKey);
  const seal = (ctr, text) => sframe.encrypt(aKey, ctr, prefix, new TextEncoder().encode(text));
  const f1 = await seal(1n, 'one');
  const f2 = await seal(2n, 'two');
  await decryptFrom(keys, 'p_a', f2, prefix);
  await decryptFrom(keys, 'p_a', f1, prefix); // late but new: shown
  await assert.rejects(decryptFrom(keys, 'p_a', f2, prefix), /replayed/);
  await assert.rejects(decryptFrom(keys, 'p_a', f1, prefix), /replayed/);
  assert.equal(keys.replayed, 2);

  // Audio and video of one sender share the counter: concurrent decrypts of the same frame
  // (e.g. the SFU sending it twice) let one through.
  const f3 = await seal(3n, 'three');
  const results = await Promise.allSettled([decryptFrom(keys, 'p_a', f3, prefix), decryptFrom(keys, 'p_a', f3, prefix)]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.equal(keys.replayed, 3);

  // A frame whose header claims counter 5000 but does not authenticate leaves the window
  // alone: counter 4 (more than 1024 below 5000) still decrypts.
  const forged = Uint8Array.from(await seal(5000n, 'x'));
  forged[forged.length - 1] ^= 1;
  await assert.rejects(decryptFrom(keys, 'p_a', forged, prefix));
  const f4 = await seal(4n, 'four');
  assert.equal(new TextDecoder().decode((await decryptFrom(keys, 'p_a', f4, prefix)).plaintext), 'four');

  // Re-adding the same key (re-sent on a new channel) keeps its window.
  keys.add('p_a', aKey);
  await assert.rejects(decryptFrom(keys, 'p_a', f4, prefix), /replayed/);

  // Far behind the highest: dropped without decrypting.
  await decryptFrom(keys, 'p_a', await seal(3000n, 'later'), prefix);
  await assert.rejects(decryptFrom(keys, 'p_a', await seal(100n, 'old'), prefix), /replayed/);
});
