// The short authentication string (docs/e2ee.md "Security code"): SHA-256 over everyone's
// public key, DTLS fingerprint (peer-to-peer calls; '' on the SFU) and the nonce of the
// current commitment round (commitment.ts), the entries sorted → 6 digits, grouped 3+3.
// The same values give the same digits on every screen; a key or certificate the server
// swapped for its own gives different digits on the two sides, and since every value was
// committed to before any nonce was revealed, the server cannot search for a match.
// Participant ids are left out: the server chooses them.
import { toBase64Url } from './encoding';
import type { Bytes } from './sframe';

export interface SasEntry {
  publicKey: string;
  nonce: Bytes;
  fingerprint: string;
}

export async function shortAuthString(entries: SasEntry[]): Promise<string> {
  const lines = entries.map((e) => `${e.publicKey} ${toBase64Url(e.nonce)} ${e.fingerprint}`).sort();
  const text = ['medrtc e2ee sas v3', ...lines].join('\n');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const n = new DataView(digest.buffer).getUint32(0) % 1_000_000;
  const digits = String(n).padStart(6, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}
