// The SFrame keys a receiving worker holds (docs/e2ee.md, Keys), per sender. A KID belongs
// to the first sender that gives it to us and stays with it (also after its key is dropped):
// another participant claiming the same KID cannot overwrite or drop that sender's key, and
// a receiver of one sender's track decrypts only with that sender's keys, so a participant
// cannot pass its frames off as someone else's. Self-contained but for sframe.ts, so node's
// test runner loads it (tests/e2e/e2ee-receive.test.mjs).
import { decrypt, type Bytes, type SFrameKey } from './sframe';

export class ReceiveKeys {
  private readonly bySender = new Map<string, Map<bigint, SFrameKey>>();
  private readonly owners = new Map<bigint, string>();
  /** Keys and drops refused because another sender owns the KID. */
  refused = 0;

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
    keys.set(key.kid, key);
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
    return sender === undefined ? undefined : this.bySender.get(sender)?.get(kid);
  }
}

/** Decrypts a frame that came on `sender`'s track with one of `sender`'s keys (throws like sframe.decrypt). */
export function decryptFrom(keys: ReceiveKeys, sender: string | undefined, sframe: Bytes, metadata: Bytes): ReturnType<typeof decrypt> {
  return decrypt((kid) => keys.get(sender, kid), sframe, metadata);
}
