// The SFrame keys a receiving worker holds (docs/e2ee.md, Keys), per sender. A KID belongs
// to the first sender that gives it to us and stays with it (also after its key is dropped):
// another participant claiming the same KID cannot overwrite or drop that sender's key, and
// a receiver of one sender's track decrypts only with that sender's keys, so a participant
// cannot pass its frames off as someone else's. Each key has its replay window
// (replay-window.ts). Imports only self-contained modules, so node's test runner loads it
// (tests/e2e/e2ee-receive.test.mjs).
import { ReplayWindow } from './replay-window';
import { decodeHeader, decrypt, type Bytes, type SFrameKey } from './sframe';

interface Held {
  key: SFrameKey;
  window: ReplayWindow;
}

export class ReceiveKeys {
  private readonly bySender = new Map<string, Map<bigint, Held>>();
  private readonly owners = new Map<bigint, string>();
  /** Keys and drops refused because another sender owns the KID. */
  refused = 0;
  /** Frames dropped as replays (counter seen, or too far behind). */
  replayed = 0;

  /** Adds `sender`'s key; false (and counted) when another sender owns its KID. */
  add(sender: string, key: SFrameKey): boolean {
    const owner = this.owners.get(key.kid);
    if (owner !== undefined && owner !== sender) {
      this.refused += 1;
      return false;
    }
    this.owners.set(key.kid, sender);
    let keys = this.bySender.get(sender);
    if (!keys) {
      keys = new Map();
      this.bySender.set(sender, keys);
    }
    // The same key again (e.g. re-sent on a new channel) keeps its window: no replay through it.
    keys.set(key.kid, { key, window: keys.get(key.kid)?.window ?? new ReplayWindow() });
    return true;
  }

  /** Drops `sender`'s key with this KID; false (and counted) when the KID is another's. */
  drop(sender: string, kid: bigint): boolean {
    const owner = this.owners.get(kid);
    if (owner !== undefined && owner !== sender) {
      this.refused += 1;
      return false;
    }
    this.bySender.get(sender)?.delete(kid);
    return true;
  }

  /** The key of `sender`'s with this KID; none for a receiver whose sender we do not know. */
  get(sender: string | undefined, kid: bigint): SFrameKey | undefined {
    return this.held(sender, kid)?.key;
  }

  held(sender: string | undefined, kid: bigint): Held | undefined {
    return sender === undefined ? undefined : this.bySender.get(sender)?.get(kid);
  }
}

/**
 * Decrypts a frame that came on `sender`'s track with one of `sender`'s keys and drops a
 * replay (throws like sframe.decrypt; "sframe: replayed" for a replay, counted).
 */
export async function decryptFrom(keys: ReceiveKeys, sender: string | undefined, sframe: Bytes, metadata: Bytes): ReturnType<typeof decrypt> {
  const header = decodeHeader(sframe);
  const held = header ? keys.held(sender, header.kid) : undefined;
  if (header && held && !held.window.check(header.ctr)) {
    keys.replayed += 1;
    throw new Error('sframe: replayed');
  }
  const out = await decrypt((kid) => (kid === held?.key.kid ? held.key : undefined), sframe, metadata);
  // Checked again: the same counter may have authenticated while we decrypted.
  if (held && !held.window.accept(out.ctr)) {
    keys.replayed += 1;
    throw new Error('sframe: replayed');
  }
  return out;
}
