// A WebSocket client for docs/protocol.md that keeps every received message so tests can
// wait for one by predicate (with a timeout), and can send raw or malformed frames.
import WebSocket from 'ws';
import { withTimeout } from './wait.mjs';

export class SignalingClient {
  constructor(url) {
    this.url = url;
    this.messages = [];
    this.unparsable = [];
    this.waiters = [];
    this.listeners = [];
    this.closeInfo = null;
    this.ws = new WebSocket(url, { maxPayload: 16 * 1024 * 1024 });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`)));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      });
    });
    // ws emits 'error' on a refused upgrade or a reset; the close event follows.
    this.ws.on('error', (err) => {
      this.lastError = err;
    });
    this.ws.on('message', (data, isBinary) => {
      let msg;
      try {
        msg = JSON.parse(isBinary ? data : data.toString());
      } catch {
        this.unparsable.push(data);
        return;
      }
      this.messages.push(msg);
      for (const listener of this.listeners) {
        try {
          listener(msg);
        } catch (err) {
          // a listener's fault must not break signaling; keep it for the test to see
          this.listenerError = err;
        }
      }
      this.wake();
    });
  }

  static async connect(url, { timeout = 5000 } = {}) {
    const client = new SignalingClient(url);
    await withTimeout(client.opened, timeout, `WebSocket open ${url}`);
    return client;
  }

  onMessage(listener) {
    this.listeners.push(listener);
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(obj) {
    this.sendRaw(JSON.stringify(obj));
  }

  sendRaw(text) {
    if (this.ws.readyState !== WebSocket.OPEN) {
      throw new Error(`cannot send: socket state ${this.ws.readyState}`);
    }
    this.ws.send(text);
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      w();
    }
  }

  /**
   * Resolves with the first received message (at or after index `from`) matching
   * `predicate` (a function, or a string = message type). Rejects on timeout or if the
   * socket closes without one.
   */
  async next(predicate, { timeout = 5000, from = 0 } = {}) {
    const match = typeof predicate === 'string' ? (m) => m.type === predicate : predicate;
    const describe = typeof predicate === 'string' ? predicate : 'matching message';
    const search = () => this.messages.slice(from).find(match);
    const found = new Promise((resolve, reject) => {
      const check = () => {
        const msg = search();
        if (msg) {
          resolve(msg);
          return;
        }
        if (this.closeInfo) {
          reject(new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) before ${describe}; got ${this.summary()}`));
          return;
        }
        this.waiters.push(check);
      };
      check();
    });
    return withTimeout(found, timeout, () => `${describe} (got ${this.summary()})`);
  }

  /** Waits for an `error` message with the given code. */
  nextError(code, opts) {
    return this.next((m) => m.type === 'error' && m.code === code, opts);
  }

  async waitClosed(timeout = 5000) {
    return withTimeout(this.closed, timeout, () => `socket close (got ${this.summary()})`);
  }

  summary() {
    return JSON.stringify(this.messages.map((m) => (m.type === 'error' ? `error:${m.code}` : m.type)));
  }

  /** Graceful close with a close frame. */
  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(1000);
    }
  }

  /** Destroys the TCP connection without a close frame: a client that vanished. */
  terminate() {
    this.ws.terminate();
  }
}
