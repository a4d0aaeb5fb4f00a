// One WebSocket to /api/v1/ws: sends `join` first, keeps the socket alive with `ping`
// every 10 s, and reports messages and the way the socket closed. Reconnecting is the
// caller's decision (see session.ts). A socket whose last MISSED_PONGS pings went
// unanswered is treated as dropped: on a dead path (a NAT that forgot us, Wi-Fi gone
// without a FIN) the browser may not notice for minutes, and the server has already
// counted us gone after 30 s of silence.
import { parseServerMessage, type ClientMessage, type ServerMessage } from './protocol';

const PING_INTERVAL_MS = 10_000;
export const MISSED_PONGS = 3;
/** The close code we report for a socket given up for missed pongs (RFC 6455: abnormal). */
export const CLOSE_PONG_TIMEOUT = 1006;

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

  constructor(token: string, private readonly handlers: SignalingHandlers, url: string = signalingUrl()) {
    this.ws = new WebSocket(url);
    this.ws.addEventListener('open', () => {
      // "p2p": this client can carry a 1:1 call browser to browser (docs/p2p.md).
      this.send({ type: 'join', token, capabilities: ['p2p'] });
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
      }
      this.handlers.onMessage(msg);
    });
    this.ws.addEventListener('close', (ev: CloseEvent) => {
      this.finish({ code: ev.code, reason: ev.reason, byUs: this.closedByUs });
    });
    // 'error' is always followed by 'close'; nothing to do here.
  }

  send(msg: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(msg));
    }
  }

  private ping(): void {
    if (this.unansweredPings >= MISSED_PONGS) {
      console.warn(`medrtc: no pong for ${MISSED_PONGS} pings; the signaling connection is dead`);
      // Reported as a drop (byUs = false), so the session reconnects.
      this.ws.close(4000, 'pong timeout'); // a dead path may never complete the close
      this.finish({ code: CLOSE_PONG_TIMEOUT, reason: 'pong timeout', byUs: false });
      return;
    }
    this.unansweredPings += 1;
    this.send({ type: 'ping' });
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
    this.handlers.onClose(info);
  }
}
