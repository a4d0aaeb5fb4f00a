// Keeps a call's peer connections when the network hiccups or moves, without leaving the
// call: an ICE restart (RFC 8445 §9) on the same connection, so DTLS and SRTP, the
// participant id and the others' view of us stay as they are (docs/protocol.md
// "Recovery"). A connection is restarted when it has been `disconnected` for
// DISCONNECTED_RESTART_MS, when the browser comes back `online`, and when the network
// changes (Network Information API, where the browser has it), and when a connection that
// was receiving steadily receives nothing for STALL_MS: after an address change Chromium
// calls the connection `disconnected` only 5-8 s later, and fires no network event at
// all. `failed` is not handled here: by then the server has given up too, and the session
// joins again.

export const DISCONNECTED_RESTART_MS = 2_000;
export const STALL_MS = 700;
const STALL_POLL_MS = 200;
// Polls in a row with more bytes received before a connection counts as steadily
// receiving (media, not only the odd RTCP or consent packet), so that silence is a stall.
const STEADY_POLLS = 4;
// A restart that has not brought the connection back by then may be asked for again.
const RESTART_PENDING_MS = 10_000;

/** The `a=ice-ufrag` of a description (the first one: every m-line is BUNDLEd). */
export function iceUfragOf(sdp: string | undefined): string | null {
  const match = /^a=ice-ufrag:(\S+)\r?$/m.exec(sdp ?? '');
  return match?.[1] ?? null;
}

interface Watched {
  restart: () => void;
  onState: () => void;
  disconnectedTimer: number | undefined;
  pendingUntil: number;
  bytes: number;
  changedAt: number;
  run: number; // polls in a row that saw more bytes
  armed: boolean; // the current quiet spell follows a steady run
  stalled: boolean;
}

/** Bytes the connection's transport received (RTP, RTCP, STUN). */
async function bytesReceived(pc: RTCPeerConnection): Promise<number> {
  let bytes = 0;
  (await pc.getStats()).forEach((s: { type: string; bytesReceived?: number }) => {
    if (s.type === 'transport') {
      bytes += s.bytesReceived ?? 0;
    }
  });
  return bytes;
}

export class IceRecovery {
  private readonly watched = new Map<RTCPeerConnection, Watched>();
  private readonly onNetworkChange = (): void => this.restartAll();
  private pollTimer: number | undefined;

  /** `onStall`: a connection stopped receiving (called before its restart is asked for). */
  constructor(private readonly onStall: () => void = () => {}) {
    window.addEventListener('online', this.onNetworkChange);
    // Chromium: fires when the interface or connection type changes (Wi-Fi ↔ mobile).
    const connection = (navigator as Navigator & { connection?: EventTarget }).connection;
    connection?.addEventListener?.('change', this.onNetworkChange);
  }

  /** Restarts `pc` with `restart` whenever it needs one, until forget/reset. */
  watch(pc: RTCPeerConnection, restart: () => void): void {
    if (this.watched.has(pc)) {
      return;
    }
    const entry: Watched = {
      restart,
      onState: () => this.onState(pc, entry),
      disconnectedTimer: undefined,
      pendingUntil: 0,
      bytes: 0,
      changedAt: performance.now(),
      run: 0,
      armed: false,
      stalled: false,
    };
    pc.addEventListener('connectionstatechange', entry.onState);
    this.watched.set(pc, entry);
    this.pollTimer ??= window.setInterval(() => void this.poll(), STALL_POLL_MS);
  }

  /** Restarts `pc` now (a restart asked for on a dead socket went nowhere). */
  restartNow(pc: RTCPeerConnection): void {
    const entry = this.watched.get(pc);
    if (entry) {
      entry.pendingUntil = 0;
      this.restart(entry);
    }
  }

  forget(pc: RTCPeerConnection): void {
    const entry = this.watched.get(pc);
    if (entry) {
      window.clearTimeout(entry.disconnectedTimer);
      pc.removeEventListener('connectionstatechange', entry.onState);
      this.watched.delete(pc);
    }
  }

  /** The connections are torn down: forget them all. */
  reset(): void {
    for (const pc of [...this.watched.keys()]) {
      this.forget(pc);
    }
    window.clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async poll(): Promise<void> {
    for (const [pc, entry] of this.watched) {
      if (pc.connectionState !== 'connected' && pc.connectionState !== 'disconnected') {
        entry.run = 0;
        entry.armed = false;
        continue;
      }
      const bytes = await bytesReceived(pc).catch(() => entry.bytes);
      const now = performance.now();
      if (bytes > entry.bytes) {
        entry.bytes = bytes;
        entry.changedAt = now;
        entry.run += 1;
        entry.armed = false;
        entry.stalled = false;
        continue;
      }
      // Quiet. Only silence right after a steady run is a stall (sparse RTCP is not).
      entry.armed ||= entry.run >= STEADY_POLLS;
      entry.run = 0;
      if (entry.armed && !entry.stalled && now - entry.changedAt >= STALL_MS) {
        entry.stalled = true;
        console.warn(`medrtc: nothing received for ${Math.round(now - entry.changedAt)} ms; restarting ICE`);
        this.onStall();
        this.restart(entry);
      }
    }
  }

  private onState(pc: RTCPeerConnection, entry: Watched): void {
    window.clearTimeout(entry.disconnectedTimer);
    entry.disconnectedTimer = undefined;
    if (pc.connectionState === 'connected') {
      entry.pendingUntil = 0;
    } else if (pc.connectionState === 'disconnected') {
      // Often only a moment (a lost burst of checks): the browser comes back by itself.
      entry.disconnectedTimer = window.setTimeout(() => {
        if (pc.connectionState === 'disconnected') {
          this.restart(entry);
        }
      }, DISCONNECTED_RESTART_MS);
    }
  }

  private restartAll(): void {
    for (const [pc, entry] of this.watched) {
      if (pc.connectionState !== 'closed' && pc.connectionState !== 'new') {
        this.restart(entry);
      }
    }
  }

  private restart(entry: Watched): void {
    const now = performance.now();
    if (now < entry.pendingUntil) {
      return; // one restart at a time per connection
    }
    entry.pendingUntil = now + RESTART_PENDING_MS;
    entry.restart();
  }
}
