// The short authentication string (docs/e2ee.md): SHA-256 over the sorted list of
// "participant id:public key" lines of everyone in the call → 6 digits, grouped 3+3. The
// same list gives the same digits on every screen; a key the server swapped for its own
// (a listener in the middle) gives different digits on the two sides.

export async function shortAuthString(entries: Array<{ id: string; publicKey: string }>): Promise<string> {
  const text = entries
    .map((e) => `${e.id}:${e.publicKey}`)
    .sort()
    .join('\n');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const n = new DataView(digest.buffer).getUint32(0) % 1_000_000;
  const digits = String(n).padStart(6, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}
