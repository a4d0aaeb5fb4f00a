// medrtc signaling for the werift cross-check, as `medrtc loadgen` does it
// (src/loadgen/load_runner.cpp medrtcTokens, medrtc_signaling.cpp): one room per
// consultation and a token per participant through the REST API (API key), then the
// WebSocket protocol of docs/protocol.md.
import WebSocket from 'ws';
import { request } from './http.mjs';

const PING_INTERVAL_MS = 10000; // docs/protocol.md: the server drops a socket silent for 30 s

async function post(baseUrl, apiKey, path, body) {
  const { status, text } = await request('POST', baseUrl + path, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
  if (status !== 201) {
    throw new Error(`POST ${path}: HTTP ${status} ${text}`);
  }
  return JSON.parse(text);
}

/** Rooms and tokens for `consultations` 1:1 calls: [[tokenA, tokenB], …]. */
export async function medrtcSetup({ url, apiKey, consultations }) {
  const pairs = [];
  for (let c = 0; c < consultations; c++) {
    const room = await post(url, apiKey, '/api/v1/rooms', { name: `werift ${c}` });
    const pair = [];
    for (const [who, role] of [['a', 'host'], ['b', 'guest']]) {
      const identity = `werift-c${c}-${who}`;
      pair.push((await post(url, apiKey, `/api/v1/rooms/${room.id}/tokens`, { identity, name: identity, role })).token);
    }
    pairs.push(pair);
  }
  return pairs;
}

/** Joins `participant` with `token` and publishes; subscribe offers are answered as they come. */
export class MedrtcSignaling {
  constructor({ url, token, participant }) {
    this.wsUrl = url.replace(/^http/, 'ws') + '/api/v1/ws';
    this.token = token;
    this.p = participant;
    this.ws = null;
    this.leaving = false;
  }

  start() {
    this.p.markJoinStart();
    this.ws = new WebSocket(this.wsUrl);
    this.ws.on('open', () => {
      this.send({ type: 'join', token: this.token });
      this.ping = setInterval(() => this.send({ type: 'ping' }), PING_INTERVAL_MS);
    });
    this.ws.on('message', (data) => {
      let message;
      try {
        message = JSON.parse(data.toString());
      } catch {
        this.p.fail('signaling: unparsable server message');
        return;
      }
      this.onMessage(message);
    });
    this.ws.on('error', (err) => this.p.fail(`signaling: ${err.message}`));
    this.ws.on('close', (code) => {
      clearInterval(this.ping);
      if (!this.leaving) {
        this.p.fail(`signaling: websocket closed ${code}`);
      }
    });
  }

  send(message) {
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
    }
  }

  onMessage(m) {
    const failed = (err) => this.p.fail(`${m.type}: ${err.message}`);
    if (m.type === 'joined') {
      this.p.publishOffer().then((sdp) => this.send({ type: 'publish_offer', sdp }), failed);
    } else if (m.type === 'publish_answer') {
      this.p.applyPublishAnswer(m.sdp).catch(failed);
    } else if (m.type === 'subscribe_offer') {
      this.p.answerSubscribeOffer(m.sdp).then((sdp) => this.send({ type: 'subscribe_answer', sdp, version: m.version }), failed);
    } else if (m.type === 'error') {
      this.p.fail(`signaling: ${m.code}: ${m.message ?? ''}`);
    } else if (m.type === 'room_ended') {
      this.p.fail('signaling: room ended');
    }
  }

  leave() {
    this.leaving = true;
    clearInterval(this.ping);
    this.send({ type: 'leave' });
    this.ws?.close();
  }
}
