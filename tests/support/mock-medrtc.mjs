#!/usr/bin/env node
// A stand-in for `medrtc serve`, written in Node with werift, that speaks the contract of
// docs/protocol.md (WebSocket signaling, two peer connections, msid = participant id) and
// the REST calls the tests use. It exists so the web client and the browser tests can be
// developed and checked before (and independently of) the C++ server:
//   MEDRTC_BIN=tests/support/mock-medrtc.mjs node --test tests/e2e/
// It is a test double, not a reference: media relay is naive (no simulcast, no
// congestion control) and tokens are HMAC'd JSON with a per-process key.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { RTCPeerConnection, useNACK, useOPUS, usePLI, useREMB, useVP8 } from 'werift';
import { WebSocketServer } from 'ws';
import { adminCommand, createClinic } from './mock-clinic.mjs';

const argv = process.argv.slice(2);
if (argv[0] === 'admin') {
  const i = (name, fallback) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : fallback);
  process.exit(await adminCommand(argv, i));
}
if (argv[0] !== 'serve') {
  console.error('usage: mock-medrtc.mjs serve --listen HOST:PORT --web-root DIR [--dev] ...');
  process.exit(2);
}
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const [listenHost, listenPort] = opt('--listen', '127.0.0.1:0').split(':');
const webRoot = path.resolve(opt('--web-root', 'build/web'));
const dev = argv.includes('--dev');
const apiKeys = new Set(process.env.MEDRTC_BOOTSTRAP_API_KEY ? [process.env.MEDRTC_BOOTSTRAP_API_KEY] : []);
// Kept in the data dir so join tokens survive a restart on the same data dir.
const dataDir = path.resolve(opt('--data-dir', 'data'));
mkdirSync(dataDir, { recursive: true });
const tokenKeyFile = path.join(dataDir, 'mock-token.key');
if (!existsSync(tokenKeyFile)) {
  writeFileSync(tokenKeyFile, randomBytes(32));
}
const tokenKey = readFileSync(tokenKeyFile);

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** @type {Map<string, {id: string, ended: boolean, members: Map<string, any>}>} */
const rooms = new Map();
const newId = (prefix) => `${prefix}_${randomBytes(6).toString('hex')}`;

// ---------------------------------------------------------------- tokens
const b64u = (buf) => Buffer.from(buf).toString('base64url');
function signToken(claims) {
  const body = b64u(JSON.stringify(claims));
  return `${body}.${b64u(createHmac('sha256', tokenKey).update(body).digest())}`;
}
function verifyToken(token) {
  const [body, sig] = String(token).split('.');
  if (!body || !sig) {
    return { error: 'token_invalid' };
  }
  const want = createHmac('sha256', tokenKey).update(body).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    return { error: 'token_invalid' };
  }
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  if (claims.exp * 1000 < Date.now()) {
    return { error: 'token_expired' };
  }
  return { claims };
}
function issueToken(roomId, { identity, name, role = 'guest', ttl_seconds = 3600 }) {
  const token = signToken({ room: roomId, identity, name, role, exp: Math.floor(Date.now() / 1000) + ttl_seconds });
  return { token, join_url: `/call/${roomId}#t=${token}` };
}

// ---------------------------------------------------------------- HTTP
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.ico': 'image/x-icon', '.png': 'image/png' };

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers });
  res.end(text);
}
async function readJson(req) {
  let data = '';
  for await (const chunk of req) {
    data += chunk;
  }
  return data ? JSON.parse(data) : {};
}
async function serveFile(res, file) {
  const full = path.resolve(webRoot, file);
  if (!full.startsWith(webRoot + path.sep)) {
    return send(res, 404, { title: 'not found' });
  }
  try {
    const st = await stat(full);
    if (!st.isFile()) {
      throw new Error('not a file');
    }
  } catch {
    return send(res, 404, { title: 'not found' });
  }
  res.writeHead(200, {
    'content-type': MIME[path.extname(full)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(self), microphone=(self)',
  });
  createReadStream(full).pipe(res);
}

const clinic = createClinic({ dataDir, rooms, issueToken, send, readJson, serveFile });

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    const authed = apiKeys.has((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    let m;
    if (req.method === 'GET' && p === '/') {
      return serveFile(res, 'index.html');
    }
    if (req.method === 'GET' && /^\/call\/[^/]+$/.test(p)) {
      return serveFile(res, 'call.html');
    }
    if (req.method === 'GET' && p.startsWith('/assets/')) {
      return serveFile(res, p.slice(1));
    }
    if (req.method === 'GET' && p === '/healthz') {
      return send(res, 200, { status: 'ok' });
    }
    if (req.method === 'POST' && p === '/api/v1/dev/rooms') {
      if (!dev) {
        return send(res, 404, { title: 'not found' });
      }
      const room = { id: newId('r'), ended: false, members: new Map() };
      rooms.set(room.id, room);
      const links = [['alice', 'Alice', 'host'], ['bob', 'Bob', 'guest']].map(([identity, name, role]) => ({
        identity, name, join_url: issueToken(room.id, { identity, name, role }).join_url,
      }));
      return send(res, 201, { id: room.id, links });
    }
    if (await clinic.handleHttp(req, res, p)) {
      return undefined;
    }
    if (p.startsWith('/api/v1/')) {
      if (!authed) {
        return send(res, 401, { title: 'unauthorized' });
      }
    }
    if (req.method === 'POST' && p === '/api/v1/rooms') {
      const room = { id: newId('r'), ended: false, members: new Map() };
      rooms.set(room.id, room);
      return send(res, 201, { id: room.id });
    }
    if ((m = /^\/api\/v1\/rooms\/([^/]+)\/tokens$/.exec(p)) && req.method === 'POST') {
      const room = rooms.get(m[1]);
      if (!room) {
        return send(res, 404, { title: 'room not found' });
      }
      return send(res, 201, issueToken(room.id, await readJson(req)));
    }
    if ((m = /^\/api\/v1\/rooms\/([^/]+)$/.exec(p))) {
      const room = rooms.get(m[1]);
      if (!room) {
        return send(res, 404, { title: 'room not found' });
      }
      if (req.method === 'GET') {
        return send(res, 200, { id: room.id, ended: room.ended, participants: [...room.members.values()].map(publicInfo) });
      }
      if (req.method === 'DELETE') {
        room.ended = true;
        for (const member of [...room.members.values()]) {
          member.send({ type: 'room_ended', reason: 'deleted' });
          removeMember(member, false);
          member.ws.close(1000);
        }
        res.writeHead(204).end();
        return undefined;
      }
    }
    return send(res, 404, { title: 'not found' });
  } catch (err) {
    console.error('mock-medrtc: request failed', err);
    return send(res, 500, { title: 'internal' });
  }
});

// ---------------------------------------------------------------- signaling + media
const codecs = {
  audio: [useOPUS()],
  video: [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
};
const pcConfig = { codecs, iceUseIpv6: false };
const FATAL = new Set(['message_too_large', 'auth_required', 'token_invalid', 'token_expired', 'room_not_found', 'room_ended', 'duplicate_identity']);
const FATAL_CLOSE = { message_too_large: 4002, auth_required: 4003, token_invalid: 4004, token_expired: 4005, room_not_found: 4006, room_ended: 4007, duplicate_identity: 4008 };

function publicInfo(m) {
  return { participant_id: m.id, identity: m.identity, name: m.name, role: m.role, audio_muted: m.audioMuted, video_muted: m.videoMuted };
}
function broadcast(room, except, msg) {
  for (const other of room.members.values()) {
    if (other !== except) {
      other.send(msg);
    }
  }
}

function removeMember(member, notify = true) {
  const room = member.room;
  if (!room || room.members.get(member.id) !== member) {
    return;
  }
  room.members.delete(member.id);
  clearInterval(member.pliTimer);
  member.pub?.close().catch(() => {});
  member.sub?.close().catch(() => {});
  if (notify) {
    broadcast(room, member, { type: 'participant_left', participant_id: member.id });
    for (const other of room.members.values()) {
      syncSubscriptions(other);
    }
  }
}

/** Makes `member`'s subscriber connection carry exactly the tracks of the others. */
function syncSubscriptions(member) {
  if (!member.joined) {
    return;
  }
  const wanted = new Map();
  for (const other of member.room.members.values()) {
    if (other === member) {
      continue;
    }
    for (const [kind, track] of Object.entries(other.tracks)) {
      wanted.set(`${other.id}:${kind}`, { other, kind, track });
    }
  }
  let changed = false;
  for (const [key, fwd] of member.forwards) {
    if (!wanted.has(key)) {
      fwd.unsubscribe();
      member.sub.removeTrack(fwd.transceiver.sender);
      member.forwards.delete(key);
      changed = true;
    }
  }
  for (const [key, { other, kind, track }] of wanted) {
    if (member.forwards.has(key)) {
      continue;
    }
    if (!member.sub) {
      member.sub = new RTCPeerConnection(pcConfig);
    }
    const transceiver = member.sub.addTransceiver(kind, { direction: 'sendonly' });
    transceiver.sender.streamId = other.id;
    const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => {
      transceiver.sender.sendRtp(rtp).catch(() => {});
    });
    member.forwards.set(key, { transceiver, unsubscribe: unSubscribe, other, kind });
    changed = true;
  }
  if (changed) {
    renegotiate(member);
  }
}

async function renegotiate(member) {
  if (member.negotiating) {
    member.renegotiateAgain = true;
    return;
  }
  member.negotiating = true;
  member.renegotiateAgain = false;
  const offer = await member.sub.createOffer();
  await member.sub.setLocalDescription(offer);
  member.subVersion += 1;
  member.send({ type: 'subscribe_offer', sdp: member.sub.localDescription.sdp, version: member.subVersion });
}

function requestKeyframes(member) {
  for (const fwd of member.forwards.values()) {
    if (fwd.kind === 'video') {
      fwd.other.requestKeyframe();
    }
  }
}

const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url, 'http://x').pathname !== '/api/v1/ws') {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
});

function onSocket(ws) {
  const member = {
    ws, id: newId('p'), room: null, joined: false, identity: '', name: '', role: 'guest',
    audioMuted: false, videoMuted: false, pub: null, sub: null, tracks: {}, pubReceivers: {},
    forwards: new Map(), subVersion: 0, negotiating: false, renegotiateAgain: false, pliTimer: null,
    send(msg) {
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify(msg));
      }
    },
    requestKeyframe() {
      const receiver = member.pubReceivers.video;
      const track = member.tracks.video;
      if (receiver && track?.ssrc) {
        receiver.sendRtcpPLI(track.ssrc).catch(() => {});
      }
    },
  };
  const error = (code, message, request_type) => {
    member.send({ type: 'error', code, message, ...(request_type ? { request_type } : {}) });
    if (FATAL.has(code)) {
      removeMember(member);
      ws.close(FATAL_CLOSE[code] ?? 4000, code);
    }
  };
  const authTimer = setTimeout(() => {
    if (!member.joined) {
      error('auth_required', 'no join within 10 s');
    }
  }, 10_000);

  ws.on('close', () => {
    clearTimeout(authTimer);
    clinic.onClose(member);
    removeMember(member);
  });
  ws.on('message', async (data, isBinary) => {
    let msg;
    try {
      msg = isBinary ? null : JSON.parse(data.toString());
    } catch {
      msg = null;
    }
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') {
      return error('invalid_message', 'not a JSON object with a type');
    }
    try {
      await handle(msg);
    } catch (err) {
      console.error('mock-medrtc: handling', msg.type, 'failed:', err);
      error('internal', 'internal error', msg.type);
    }
  });

  async function handle(msg) {
    if (!member.joined && msg.type !== 'join') {
      return error('auth_required', 'join first');
    }
    if (msg.type !== 'join' && clinic.onMessage(member, msg, error, completeJoin)) {
      return undefined;
    }
    switch (msg.type) {
      case 'join': {
        if (member.joined) {
          return error('already_joined', 'already joined');
        }
        const { claims, error: tokenError } = verifyToken(msg.token);
        if (tokenError) {
          return error(tokenError, tokenError);
        }
        const room = rooms.get(claims.room);
        if (!room) {
          return error('room_not_found', 'room not found');
        }
        if (room.ended) {
          return error('room_ended', 'room ended');
        }
        for (const other of room.members.values()) {
          if (other.identity === claims.identity) {
            other.send({ type: 'error', code: 'duplicate_identity', message: 'joined elsewhere' });
            removeMember(other);
            other.ws.close(4008, 'duplicate_identity');
          }
        }
        clearTimeout(authTimer);
        Object.assign(member, { room, joined: true, identity: claims.identity, name: claims.name, role: claims.role });
        for (const other of room.queue ?? []) {
          if (other.identity === claims.identity) {
            other.send({ type: 'error', code: 'duplicate_identity', message: 'joined elsewhere' });
            other.ws.close(4008, 'duplicate_identity');
          }
        }
        if (clinic.holdInQueue(member, room)) {
          return undefined;
        }
        completeJoin(member);
        return undefined;
      }
      default:
        return handleJoined(msg);
    }
  }

  function completeJoin(member) {
    const room = member.room;
    {
      {
        const others = [...room.members.values()].map(publicInfo);
        room.members.set(member.id, member);
        member.send({ type: 'joined', participant_id: member.id, room_id: room.id, identity: member.identity, role: member.role, participants: others, ice_servers: [] });
        broadcast(room, member, { type: 'participant_joined', participant: publicInfo(member) });
        member.pliTimer = setInterval(() => member.requestKeyframe(), 3000);
        syncSubscriptions(member);
        clinic.onJoined(member, room);
      }
    }
  }

  async function handleJoined(msg) {
    switch (msg.type) {
      case 'publish_offer': {
        if (typeof msg.sdp !== 'string') {
          return error('invalid_message', 'sdp missing', msg.type);
        }
        if (!member.pub) {
          member.pub = new RTCPeerConnection(pcConfig);
          member.pub.onTransceiverAdded.subscribe((transceiver) => {
            transceiver.onTrack.subscribe((track) => {
              member.tracks[track.kind] = track;
              member.pubReceivers[track.kind] = transceiver.receiver;
              for (const other of member.room.members.values()) {
                if (other !== member) {
                  syncSubscriptions(other);
                }
              }
            });
          });
        }
        await member.pub.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        const answer = await member.pub.createAnswer();
        await member.pub.setLocalDescription(answer);
        member.send({ type: 'publish_answer', sdp: member.pub.localDescription.sdp });
        return undefined;
      }
      case 'subscribe_answer': {
        if (typeof msg.sdp !== 'string' || typeof msg.version !== 'number') {
          return error('invalid_message', 'sdp or version missing', msg.type);
        }
        if (msg.version !== member.subVersion) {
          return error('stale_version', 'answer for an old offer', msg.type);
        }
        await member.sub.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
        member.negotiating = false;
        requestKeyframes(member);
        if (member.renegotiateAgain) {
          await renegotiate(member);
        }
        return undefined;
      }
      case 'track_state': {
        if ((msg.kind !== 'audio' && msg.kind !== 'video') || typeof msg.muted !== 'boolean') {
          return error('invalid_message', 'kind or muted wrong', msg.type);
        }
        if (msg.kind === 'audio') {
          member.audioMuted = msg.muted;
        } else {
          member.videoMuted = msg.muted;
        }
        broadcast(member.room, member, { type: 'track_state', participant_id: member.id, kind: msg.kind, muted: msg.muted });
        return undefined;
      }
      case 'leave':
        removeMember(member);
        ws.close(1000);
        return undefined;
      case 'ping':
        member.send({ type: 'pong' });
        return undefined;
      default:
        return error('invalid_message', `unknown type ${msg.type}`);
    }
  }
}

server.listen(Number(listenPort), listenHost, () => {
  const { port } = server.address();
  console.log(`medrtc listening on http://${listenHost}:${port}`);
});
const shutdown = () => {
  for (const room of rooms.values()) {
    for (const member of room.members.values()) {
      member.ws.terminate();
    }
  }
  server.close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
