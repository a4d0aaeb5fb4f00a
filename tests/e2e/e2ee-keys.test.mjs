// The web client's pairwise key channel (web/src/call/e2ee/pairwise.ts) and security code
// (sas.ts), in node: both ends of a pair derive the same AES-GCM key from ECDH P-256 and
// read each other's key messages; a message does not open for the other direction
// (reflected to its sender), for another pair, or with a changed byte; the counter it
// carries is what receivers compare to drop replays. The security code is 6 digits in
// 3+3 over the sorted (public key, nonce, fingerprint) entries only (no server-chosen ids),
// the same whatever order the list comes in, and changes when anyone is added or leaves
// (the commitment round: e2ee-commitment.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadE2eeModule } from '../support/e2ee.mjs';

test('pairwise key messages open only for their pair and direction', async () => {
  const pw = await loadE2eeModule('pairwise');
  const [a, b, c] = await Promise.all([pw.generateEcdh(), pw.generateEcdh(), pw.generateEcdh()]);
  assert.equal(a.publicRaw.length, 65);
  assert.equal(a.publicRaw[0], 0x04);
  const ab = await pw.pairwiseKey(a.keyPair, b.publicRaw, 'p_a', 'p_b');
  const ba = await pw.pairwiseKey(b.keyPair, a.publicRaw, 'p_b', 'p_a');
  const cb = await pw.pairwiseKey(c.keyPair, b.publicRaw, 'p_c', 'p_b');
  const payload = new TextEncoder().encode('{"kid":"7","gen":1,"key":"AAAA"}');

  const blob = await pw.seal(ab, 'p_a', 'p_b', 5n, payload);
  const opened = await pw.open(ba, 'p_a', 'p_b', blob);
  assert.ok(opened, 'B opens what A sealed for B');
  assert.equal(opened.counter, 5n);
  assert.deepEqual(Buffer.from(opened.payload), Buffer.from(payload));

  assert.equal(await pw.open(ba, 'p_b', 'p_a', blob), null, 'reflected back to its sender');
  assert.equal(await pw.open(cb, 'p_a', 'p_b', blob), null, 'another pair');
  assert.equal(await pw.open(ba, 'p_c', 'p_b', blob), null, 'another claimed sender');
  const changed = Uint8Array.from(blob);
  changed[changed.length - 1] ^= 1;
  assert.equal(await pw.open(ba, 'p_a', 'p_b', changed), null, 'a changed byte');
  const recounted = Uint8Array.from(blob);
  recounted[7] ^= 1; // the counter in clear: authenticated, so it cannot be moved forward
  assert.equal(await pw.open(ba, 'p_a', 'p_b', recounted), null, 'a changed counter');
  assert.equal(await pw.open(ba, 'p_a', 'p_b', blob.subarray(0, 20)), null, 'cut short');
});

test('the security code hashes public keys, nonces and fingerprints only: order-free, 3+3 digits, changes when someone joins', async () => {
  const { shortAuthString } = await loadE2eeModule('sas');
  const entry = (publicKey) => ({ publicKey, nonce: new Uint8Array(32).fill(publicKey.charCodeAt(1)), fingerprint: '' });
  const two = [entry('BAAA'), entry('BBBB')];
  const code = await shortAuthString(two);
  assert.match(code, /^\d{3} \d{3}$/);
  assert.equal(await shortAuthString([...two].reverse()), code);
  assert.notEqual(await shortAuthString([...two, entry('BCCC')]), code);
  assert.notEqual(await shortAuthString([entry('BAAA')]), code, 'someone left');
  // A key swapped in the middle (someone listening in) gives another code.
  assert.notEqual(await shortAuthString([entry('BAAA'), { ...entry('BBBB'), publicKey: 'BXXX' }]), code);
});
