// Pairwise channels between two participants (docs/e2ee.md): ECDH P-256 → HKDF-SHA256
// (info binds both participant ids) → one AES-GCM-256 key per pair. A key message is
// counter (8 bytes, big-endian) ‖ AES-GCM(payload); the IV is the direction byte and the
// counter, the AAD names sender, recipient and counter, so a blob cannot be replayed,
// reflected to its sender or moved to another pair. Receivers keep the highest counter
// seen per pair and drop anything not above it.
import { concat, type Bytes } from './sframe';

const encoder = new TextEncoder();

export async function generateEcdh(): Promise<{ keyPair: CryptoKeyPair; publicRaw: Bytes }> {
  const keyPair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  const publicRaw = new Uint8Array(await crypto.subtle.exportKey('raw', keyPair.publicKey));
  return { keyPair, publicRaw };
}

export async function pairwiseKey(own: CryptoKeyPair, peerPublicRaw: Bytes, selfId: string, peerId: string): Promise<CryptoKey> {
  const peer = await crypto.subtle.importKey('raw', peerPublicRaw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, own.privateKey, 256);
  const ikm = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  const [a, b] = [selfId, peerId].sort();
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`medrtc e2ee pairwise v1|${a}|${b}`) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function ivAndAad(from: string, to: string, counter: bigint): { iv: Bytes; aad: Bytes; ctr: Bytes } {
  const ctr = new Uint8Array(8);
  new DataView(ctr.buffer).setBigUint64(0, counter);
  // The two directions of a pair share the key: the first IV byte keeps their nonces apart.
  const iv = concat(Uint8Array.of(from < to ? 1 : 2, 0, 0, 0), ctr);
  return { iv, ctr, aad: concat(encoder.encode(`medrtc e2ee key v1|${from}|${to}|`), ctr) };
}

export async function seal(key: CryptoKey, from: string, to: string, counter: bigint, payload: Bytes): Promise<Bytes> {
  const { iv, aad, ctr } = ivAndAad(from, to, counter);
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, payload);
  return concat(ctr, new Uint8Array(ct));
}

/** The counter and payload, or null when the blob is short or does not authenticate. */
export async function open(key: CryptoKey, from: string, to: string, blob: Bytes): Promise<{ counter: bigint; payload: Bytes } | null> {
  if (blob.length < 8 + 16) {
    return null;
  }
  const counter = new DataView(blob.buffer, blob.byteOffset, 8).getBigUint64(0);
  const { iv, aad } = ivAndAad(from, to, counter);
  try {
    const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, blob.subarray(8));
    return { counter, payload: new Uint8Array(pt) };
  } catch {
    return null;
  }
}
