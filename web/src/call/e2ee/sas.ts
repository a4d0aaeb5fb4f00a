// The short authentication string (docs/e2ee.md): SHA-256 over the sorted public keys of
// everyone in the call → 6 digits, grouped 3+3. The same keys give the same digits on every
// screen; a key the server swapped for its own (a listener in the middle) gives different
// digits on the two sides. Participant ids are left out: the server chooses them, so
// hashing them would only give it more input to vary while it searches for a matching code.

export async function shortAuthString(publicKeys: string[]): Promise<string> {
  const text = ['medrtc e2ee sas v2', ...[...publicKeys].sort()].join('\n');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const n = new DataView(digest.buffer).getUint32(0) % 1_000_000;
  const digits = String(n).padStart(6, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}
