// SFrame (web/src/call/e2ee/sframe.ts) against RFC 9605 Appendix C: the header encodings
// (C.1, a spread of the published KID/CTR pairs) and the AES_128_GCM_SHA256_128 (0x0004)
// encryption vector (C.4): sframe_key and sframe_salt from the base key, nonce and the
// ciphertext with the metadata as AAD; decryption round-trips, a changed byte does not.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../support/server.mjs';

async function loadSframe() {
  const source = await readFile(path.join(repoRoot, 'web/src/call/e2ee/sframe.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
}

const hex = (s) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

// RFC 9605 Appendix C.1: [KID, CTR, encoded header].
const HEADERS = [
  [0x0n, 0x0n, '00'],
  [0x0n, 0x100000000n, '0c0100000000'],
  [0x1n, 0x1n, '11'],
  [0x1n, 0xffffffffffn, '1cffffffffff'],
  [0xffn, 0xffn, '88ffff'],
  [0xffn, 0x10000000000n, '8dff010000000000'],
  [0x100n, 0x100n, '9901000100'],
  [0x100n, 0xffffffffffffn, '9d0100ffffffffffff'],
  [0xffffn, 0xffffn, '99ffffffff'],
  [0xffffn, 0x1000000000000n, '9effff01000000000000'],
  [0x10000n, 0x10000n, 'aa010000010000'],
  [0x10000n, 0xffffffffffffffn, 'ae010000ffffffffffffff'],
  [0xffffffn, 0xffffffn, 'aaffffffffffff'],
  [0xffffffn, 0x100000000000000n, 'afffffff0100000000000000'],
  [0x1000000n, 0x1000000n, 'bb0100000001000000'],
  [0x1000000n, 0xffffffffffffffffn, 'bf01000000ffffffffffffffff'],
  [0xffffffffn, 0xffffffffn, 'bbffffffffffffffff'],
  [0x100000000n, 0x0n, 'c00100000000'],
  [0x100000000n, 0x100000000n, 'cc01000000000100000000'],
  [0xffffffffffn, 0x1n, 'c1ffffffffff'],
  [0xffffffffffn, 0xffffffffffn, 'ccffffffffffffffffffff'],
  [0x10000000000n, 0xffn, 'd8010000000000ff'],
  [0x10000000000n, 0x10000000000n, 'dd010000000000010000000000'],
  [0xffffffffffffn, 0x100n, 'd9ffffffffffff0100'],
  [0xffffffffffffn, 0xffffffffffffn, 'ddffffffffffffffffffffffff'],
  [0x1000000000000n, 0xffffn, 'e901000000000000ffff'],
  [0x1000000000000n, 0x1000000000000n, 'ee0100000000000001000000000000'],
  [0xffffffffffffffn, 0x10000n, 'eaffffffffffffff010000'],
  [0xffffffffffffffn, 0xffffffffffffffn, 'eeffffffffffffffffffffffffffff'],
  [0x100000000000000n, 0xffffffn, 'fa0100000000000000ffffff'],
  [0x100000000000000n, 0x100000000000000n, 'ff01000000000000000100000000000000'],
  [0xffffffffffffffffn, 0x1000000n, 'fbffffffffffffffff01000000'],
  [0xffffffffffffffffn, 0xffffffffffffffffn, 'ffffffffffffffffffffffffffffffffff'],
];

// RFC 9605 Appendix C.4, cipher_suite 0x0004.
const VECTOR = {
  kid: 0x123n,
  ctr: 0x4567n,
  baseKey: '000102030405060708090a0b0c0d0e0f',
  keyLabel: '534672616d6520312e3020536563726574206b65792000000000000001230004',
  saltLabel: '534672616d6520312e30205365637265742073616c742000000000000001230004',
  sframeKey: 'd34f547f4ca4f9a7447006fe7fcbf768',
  sframeSalt: '75234edefe07819026751816',
  metadata: '4945544620534672616d65205747',
  nonce: '75234edefe07819026755d71',
  pt: '64726166742d696574662d736672616d652d656e63',
  ct: '9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb',
};

test('SFrame headers encode and decode as RFC 9605 C.1 says', async () => {
  const sframe = await loadSframe();
  for (const [kid, ctr, encoded] of HEADERS) {
    assert.equal(toHex(sframe.encodeHeader(kid, ctr)), encoded, `KID ${kid} CTR ${ctr}`);
    const parsed = sframe.decodeHeader(hex(`${encoded}ff`));
    assert.deepEqual(parsed, { kid, ctr, length: encoded.length / 2 });
  }
  // A header whose KID or CTR bytes are cut off is not read past the end.
  assert.equal(sframe.decodeHeader(hex('9901')), null);
  assert.equal(sframe.decodeHeader(new Uint8Array(0)), null);
});

test('SFrame AES_128_GCM_SHA256_128 matches RFC 9605 C.4', async () => {
  const sframe = await loadSframe();
  const v = VECTOR;
  assert.equal(toHex(sframe.label('key', v.kid)), v.keyLabel);
  assert.equal(toHex(sframe.label('salt', v.kid)), v.saltLabel);
  const raw = await sframe.deriveKeySalt(v.kid, hex(v.baseKey));
  assert.equal(toHex(raw.key), v.sframeKey);
  assert.equal(toHex(raw.salt), v.sframeSalt);
  assert.equal(toHex(sframe.nonceFor(raw.salt, v.ctr)), v.nonce);

  const key = await sframe.importSFrameKey(v.kid, hex(v.baseKey));
  const ct = await sframe.encrypt(key, v.ctr, hex(v.metadata), hex(v.pt));
  assert.equal(toHex(ct), v.ct);

  const keys = (kid) => (kid === v.kid ? key : undefined);
  const back = await sframe.decrypt(keys, hex(v.ct), hex(v.metadata));
  assert.equal(toHex(back.plaintext), v.pt);
  assert.equal(back.ctr, v.ctr);

  // The metadata (our clear codec header) is authenticated; so is every ciphertext byte.
  await assert.rejects(sframe.decrypt(keys, hex(v.ct), hex('00')));
  const flipped = hex(v.ct);
  flipped[8] ^= 1;
  await assert.rejects(sframe.decrypt(keys, flipped, hex(v.metadata)));
  // Another base key under the same KID does not decrypt it.
  const other = await sframe.importSFrameKey(v.kid, hex('101112131415161718191a1b1c1d1e1f'));
  await assert.rejects(sframe.decrypt(() => other, hex(v.ct), hex(v.metadata)));
  await assert.rejects(sframe.decrypt(() => undefined, hex(v.ct), hex(v.metadata)), /unknown key id/);
});
