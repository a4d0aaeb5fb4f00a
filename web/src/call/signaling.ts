// One WebSocket to /api/v1/ws: sends `join` first, keeps the socket alive with `ping`
// every 10 s, and reports messages and the way the socket closed. Reconnecting is the
// caller's decision (see session.ts).
import { parseServerMessage, type ClientMessage, type ServerMessage } from './protocol';

const PING_INTERVAL_MS = 10_000;

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

  constructor(token: string, private readonly handlers: SignalingHandlers, url: string = signalingUrl()) {
    this.ws = new WebSocket(url);
    this.ws.addEventListener('open', () => {
      // "p2p": this client can carry a 1:1 call browser to browser (docs/p2p.md).
      this.send({ type: 'join', token, capabilities: ['p2p'] });
      this.pingTimer = window.setInterval(() => this.send({ type: 'ping' }), PING_INTERVAL_MS);
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
