// A sliding replay window over one SFrame key's frame counters (docs/e2ee.md, Frames). A
// sender's audio and video share one counter, so frames of the two arrive interleaved and
// somewhat out of order: the window reaches REPLAY_WINDOW counters behind the highest one
// seen. A counter at or below highest − REPLAY_WINDOW, or one already seen, is a replay.
// Only counters of frames that authenticated are recorded (`accept` after decrypting), so
// forged headers cannot move the window.

export const REPLAY_WINDOW = 1024n;

export class ReplayWindow {
  private highest = -1n;
  // One bit per counter in (highest − REPLAY_WINDOW, highest], at counter mod REPLAY_WINDOW.
  private readonly seen = new Uint8Array(Number(REPLAY_WINDOW) / 8);

  /** Whether `ctr` may still be new (checked before decrypting, to skip the work). */
  check(ctr: bigint): boolean {
    if (ctr > this.highest) {
      return true;
    }
    if (ctr <= this.highest - REPLAY_WINDOW) {
      return false;
    }
    return !this.bit(ctr);
  }

  /** Records `ctr` of an authenticated frame; false when it is a replay after all. */
  accept(ctr: bigint): boolean {
    if (!this.check(ctr)) {
      return false;
    }
    if (ctr > this.highest) {
      if (ctr - this.highest >= REPLAY_WINDOW) {
        this.seen.fill(0);
      } else {
        // The slots of the new counters held counters that now fall out of the window.
        for (let c = this.highest + 1n; c <= ctr; c += 1n) {
          this.setBit(c, false);
        }
      }
      this.highest = ctr;
    }
    this.setBit(ctr, true);
    return true;
  }

  private bit(ctr: bigint): boolean {
    const i = Number(ctr % REPLAY_WINDOW);
    return ((this.seen[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
  }

  private setBit(ctr: bigint, on: boolean): void {
    const i = Number(ctr % REPLAY_WINDOW);
    const byte = this.seen[i >> 3] ?? 0;
    this.seen[i >> 3] = on ? byte | (1 << (i & 7)) : byte & ~(1 << (i & 7));
  }
}
