// One WebSocket to /api/v1/ws: sends `join` first, keeps the socket alive with `ping`
// every 10 s, and reports messages and the way the socket closed. Reconnecting is the
// caller's decision (see session.ts). A socket whose last MISSED_PONGS pings went
// unanswered is treated as dropped: on a dead path (a NAT that forgot us, Wi-Fi gone
// without a FIN) the browser may not notice for minutes, and the server has already
// counted us gone after 30 s of silence.
import { e2eeSupported } from './e2ee/frame-crypto';
import { decoderAnnouncement } from './decoders';
import { parseServerMessage, type ClientMessage, type ServerMessage } from './protocol';

const PING_INTERVAL_MS = 10_000;
// probe(): how long a pong may take before the socket counts as dead.
const PROBE_MS = 1_500;
export const MISSED_PONGS = 3;
/** The close code we report for a socket given up for missed pongs (RFC 6455: abnormal). */
export const CLOSE_PONG_TIMEOUT = 1006;
/** The close code we send on a socket we give up on to resume on another (docs/protocol.md). */
export const CLOSE_RESUMING = 4000;

export interface CloseInfo {
  code: number;
  reason: string;
  /** True when we closed it ourselves (leave) — not a network problem. */
  byUs: boolean;
}

export interface SignalingHandlers {
  onMessage(msg: ServerMessage): void;
  onClose(info: CloseInfo): void;
}

export function signalingUrl(loc: Location = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/ws`;
}

export class Signaling {
  private ws: WebSocket;
  private pingTimer: number | undefined;
  private closedByUs = false;
  private closed = false;
  private unansweredPings = 0;
  private probeTimer: number | undefined;

  /**
   * `resumeToken`: open with `resume` (keep our participant after a drop) instead of `join`;
   * when the server refuses it the session calls join() on this socket.
   */
  constructor(
    private readonly token: string,
    private readonly handlers: SignalingHandlers,
    resumeToken: string | null = null,
    url: string = signalingUrl(),
  ) {
    this.ws = new WebSocket(url);
    this.ws.addEventListener('open', () => {
      if (resumeToken !== null) {
        this.send({ type: 'resume', token, resume_token: resumeToken });
      } else {
        this.join();
      }
      this.pingTimer = window.setInterval(() => this.ping(), PING_INTERVAL_MS);
    });
    this.ws.addEventListener('message', (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') {
        return;
      }
      const msg = parseServerMessage(ev.data);
      if (msg === null) {
        console.warn('medrtc: ignoring a malformed signaling frame');
        return;
      }
      if (msg.type === 'pong') {
        this.unansweredPings = 0;
        window.clearTimeout(this.probeTimer);
        this.probeTimer = undefined;
      }
      this.handlers.onMessage(msg);
    });
    this.ws.addEventListener('close', (ev: CloseEvent) => {
      this.finish({ code: ev.code, reason: ev.reason, byUs: this.closedByUs });
    });
    // 'error' is always followed by 'close'; nothing to do here.
  }

  /** `join` with the token (the first message, or after a refused `resume`). */
  join(): void {
    // "p2p": this client can carry a 1:1 call browser to browser (docs/p2p.md); "e2ee": it
    // can encrypt its frames end to end (SFrame, docs/e2ee.md), only said when it can.
    // `decoders`: what this browser can receive, so the first subscribe offer has only that.
    const decoders = decoderAnnouncement();
    this.send({
      type: 'join',
      token: this.token,
      capabilities: e2eeSupported() ? ['p2p', 'e2ee'] : ['p2p'],
      ...(decoders ? { decoders } : {}),
    });
  }

  send(msg: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(msg));
    }
  }

  private ping(): void {
    if (this.unansweredPings >= MISSED_PONGS) {
      this.giveUp(`no pong for ${MISSED_PONGS} pings`);
      return;
    }
    this.unansweredPings += 1;
    this.send({ type: 'ping' });
  }

  /**
   * Checks the socket now: the media path broke or the network changed, and a TCP
   * connection from an address that is gone stays "open" here until it times out —
   * minutes. No pong within PROBE_MS: given up as after missed pongs.
   */
  probe(): void {
    if (this.ws.readyState !== WebSocket.OPEN || this.probeTimer !== undefined || this.closed) {
      return;
    }
    this.send({ type: 'ping' });
    this.probeTimer = window.setTimeout(() => {
      this.probeTimer = undefined;
      this.giveUp('no pong to a probe');
    }, PROBE_MS);
  }

  /** Gives this socket up as dead (reported as a drop: the session resumes on a new one). */
  giveUp(why: string): void {
    if (this.closed) {
      return;
    }
    console.warn(`medrtc: ${why}; the signaling connection is dead`);
    // Reported as a drop (byUs = false), so the session reconnects. 4000 tells a server
    // that still hears us that we resume on another socket: not a leave.
    this.ws.close(CLOSE_RESUMING, 'pong timeout'); // a dead path may never complete the close
    this.finish({ code: CLOSE_PONG_TIMEOUT, reason: 'pong timeout', byUs: false });
  }

  /** Sends `leave` (if open) and closes; onClose reports byUs = true. */
  leave(): void {
    this.send({ type: 'leave' });
    this.close();
  }

  /** Closes without telling the server (e.g. when giving up after a fatal error). */
  close(): void {
    this.closedByUs = true;
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000);
    }
    this.finish({ code: 1000, reason: '', byUs: true });
  }

  private finish(info: CloseInfo): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    window.clearInterval(this.pingTimer);
    window.clearTimeout(this.probeTimer);
    this.handlers.onClose(info);
  }
}
