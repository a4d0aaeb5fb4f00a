// The SFrame worker's receive side (web/src/call/e2ee/receive-keys.ts), in node: keys are
// held per sender, a KID belongs to the sender that gave it first, so another participant
// can neither overwrite nor drop it (refused and counted), and a receiver of one sender's
// track decrypts only with that sender's keys.
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
