// Watches the peer connections that should carry media, so the page never sits silently
// on black tiles: "Connecting…" while they are being set up, and when STUCK_AFTER_MS pass
// without media a plain-language notice with "Try again" (session.ts shows both).
// A browser that can reach none of the server's candidates may stay in "checking" for tens
// of seconds, or fail at once and be reconnected by the session again and again; the
// person should not wait for either, so the clock keeps running across those reconnects
// (reset) and stops only when media flows or the person leaves or tries again (stop).

export const STUCK_AFTER_MS = 10_000;

export interface MediaWatchEvents {
  /** A connection is being set up and none has carried media since the last reset. */
  onConnecting(): void;
  /** Every expected connection is connected. */
  onFlowing(): void;
  /** STUCK_AFTER_MS passed with a connection still not connected. */
  onStuck(): void;
}

export class MediaWatch {
  private readonly pending = new Map<RTCPeerConnection, () => void>();
  private timer: number | undefined;
  private flowed = false;

  constructor(private readonly events: MediaWatchEvents, private readonly stuckAfterMs = STUCK_AFTER_MS) {}

  /** `pc` should connect from now on (it has something to send or to receive). */
  expect(pc: RTCPeerConnection): void {
    if (this.pending.has(pc) || pc.connectionState === 'connected') {
      return;
    }
    const listener = (): void => {
      if (pc.connectionState === 'connected') {
        this.settle(pc);
        this.flowed = true;
        if (this.pending.size === 0) {
          this.clearTimer();
          this.events.onFlowing();
        }
      } else if (pc.connectionState === 'closed') {
        this.settle(pc);
      }
    };
    pc.addEventListener('connectionstatechange', listener);
    this.pending.set(pc, listener);
    if (this.timer === undefined) {
      this.timer = window.setTimeout(() => {
        this.timer = undefined;
        if (this.pending.size > 0 || !this.flowed) {
          this.events.onStuck();
        }
      }, this.stuckAfterMs);
    }
    if (!this.flowed) {
      this.events.onConnecting();
    }
  }

  /** True while some expected connection has not connected yet. */
  get connecting(): boolean {
    return this.pending.size > 0;
  }

  /** The connections are torn down to be set up again: forget them, keep the clock. */
  reset(): void {
    for (const pc of [...this.pending.keys()]) {
      this.settle(pc);
    }
    this.flowed = false;
  }

  /** The call is over or starts afresh: forget everything. */
  stop(): void {
    this.reset();
    this.clearTimer();
  }

  /** Forgets one connection: RTCPeerConnection.close() fires no connectionstatechange. */
  settle(pc: RTCPeerConnection): void {
    const listener = this.pending.get(pc);
    if (listener) {
      pc.removeEventListener('connectionstatechange', listener);
      this.pending.delete(pc);
    }
  }

  private clearTimer(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
