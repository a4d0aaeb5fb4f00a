// SFrame (RFC 9605) with the one cipher suite we use, AES_128_GCM_SHA256_128 (§4.5,
// 0x0004): header encoding (§4.3), key and salt derivation (§4.4.2), encryption (§4.4.3).
// Self-contained (WebCrypto only, no imports) so the worker bundles it and node's test
// runner checks it against the RFC's Appendix C vectors (tests/e2e/e2ee-sframe.test.mjs).

/** Bytes on an ArrayBuffer (what WebCrypto takes). */
export type Bytes = Uint8Array<ArrayBuffer>;

export const CIPHER_SUITE = 0x0004;
const NK = 16; // AEAD.Nk: AES-128
const NN = 12; // AEAD.Nn: GCM nonce
const NT = 16; // AEAD.Nt: full 128-bit tag

/** One SFrame key: the KID it is known by, the AES key and the salt derived from its base key. */
export interface SFrameKey {
  kid: bigint;
  key: CryptoKey;
  salt: Bytes;
}

function minimalBytes(v: bigint): Bytes {
  const out: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) {
    out.unshift(Number(x & 0xffn));
  }
  return Uint8Array.from(out.length ? out : [0]);
}

/** §4.3: config byte X|K|Y|C, then the KID and CTR bytes when they do not fit in 3 bits. */
export function encodeHeader(kid: bigint, ctr: bigint): Bytes {
  let config = 0;
  const parts: Bytes[] = [];
  if (kid < 8n) {
    config |= Number(kid) << 4;
  } else {
    const b = minimalBytes(kid);
    config |= 0x80 | ((b.length - 1) << 4);
    parts.push(b);
  }
  if (ctr < 8n) {
    config |= Number(ctr);
  } else {
    const b = minimalBytes(ctr);
    config |= 0x08 | (b.length - 1);
    parts.push(b);
  }
  return concat(Uint8Array.of(config), ...parts);
}

export interface Header {
  kid: bigint;
  ctr: bigint;
  /** Bytes the header took. */
  length: number;
}

/** Parses the header at `data[offset]`; null when the bytes run out. */
export function decodeHeader(data: Bytes, offset = 0): Header | null {
  const config = data[offset];
  if (config === undefined) {
    return null;
  }
  let at = offset + 1;
  const read = (extended: boolean, low: number): bigint | null => {
    if (!extended) {
      return BigInt(low);
    }
    const n = low + 1;
    if (at + n > data.length) {
      return null;
    }
    let v = 0n;
    for (let i = 0; i < n; i += 1) {
      v = (v << 8n) | BigInt(data[at + i] ?? 0);
    }
    at += n;
    return v;
  };
  const kid = read((config & 0x80) !== 0, (config >> 4) & 0x07);
  if (kid === null) {
    return null;
  }
  const ctr = read((config & 0x08) !== 0, config & 0x07);
  if (ctr === null) {
    return null;
  }
  return { kid, ctr, length: at - offset };
}

export function concat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function uint64(v: bigint): Bytes {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

/** §4.4.2: the labels "SFrame 1.0 Secret key|salt " ‖ KID (8 bytes) ‖ cipher suite (2 bytes). */
export function label(which: 'key' | 'salt', kid: bigint): Bytes {
  const suite = Uint8Array.of(CIPHER_SUITE >> 8, CIPHER_SUITE & 0xff);
  return concat(new TextEncoder().encode(`SFrame 1.0 Secret ${which} `), uint64(kid), suite);
}

async function hkdf(secretKey: CryptoKey, info: Bytes, bytes: number): Promise<Bytes> {
  // HKDF-Extract with an empty salt, then Expand with `info` (WebCrypto does both).
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, secretKey, bytes * 8);
  return new Uint8Array(bits);
}

/** The raw sframe_key and sframe_salt for a base key (exported for the vector test). */
export async function deriveKeySalt(kid: bigint, baseKey: Bytes): Promise<{ key: Bytes; salt: Bytes }> {
  const ikm = await crypto.subtle.importKey('raw', baseKey, 'HKDF', false, ['deriveBits']);
  return { key: await hkdf(ikm, label('key', kid), NK), salt: await hkdf(ikm, label('salt', kid), NN) };
}

export async function importSFrameKey(kid: bigint, baseKey: Bytes): Promise<SFrameKey> {
  const { key, salt } = await deriveKeySalt(kid, baseKey);
  return { kid, salt, key: await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']) };
}

/** §4.4.3: the salt XOR the counter, right-aligned. */
export function nonceFor(salt: Bytes, ctr: bigint): Bytes {
  const nonce = Uint8Array.from(salt);
  const c = uint64(ctr);
  for (let i = 0; i < 8; i += 1) {
    nonce[NN - 8 + i] = (nonce[NN - 8 + i] ?? 0) ^ (c[i] ?? 0);
  }
  return nonce;
}

/** header ‖ ciphertext ‖ tag; `metadata` is authenticated (AAD = header ‖ metadata), not sent. */
export async function encrypt(k: SFrameKey, ctr: bigint, metadata: Bytes, plaintext: Bytes): Promise<Bytes> {
  const header = encodeHeader(k.kid, ctr);
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonceFor(k.salt, ctr), additionalData: concat(header, metadata), tagLength: NT * 8 },
    k.key,
    plaintext,
  );
  return concat(header, new Uint8Array(ct));
}

/**
 * Decrypts `sframe` (header ‖ ciphertext ‖ tag) with the key its KID names. Throws when
 * the KID is unknown or the tag does not verify (wrong key, changed bytes or metadata).
 */
export async function decrypt(
  keyFor: (kid: bigint) => SFrameKey | undefined,
  sframe: Bytes,
  metadata: Bytes,
): Promise<{ kid: bigint; ctr: bigint; plaintext: Bytes }> {
  const header = decodeHeader(sframe);
  if (!header || sframe.length < header.length + NT) {
    throw new Error('sframe: truncated');
  }
  const k = keyFor(header.kid);
  if (!k) {
    throw new Error('sframe: unknown key id');
  }
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: nonceFor(k.salt, header.ctr), additionalData: concat(sframe.subarray(0, header.length), metadata), tagLength: NT * 8 },
    k.key,
    sframe.subarray(header.length),
  );
  return { kid: header.kid, ctr: header.ctr, plaintext: new Uint8Array(pt) };
}
