// Hostile datagrams for the server's media port: random bytes, truncated or lying STUN,
// a STUN Binding request with a wrong MESSAGE-INTEGRITY, RTP/RTCP/DTLS look-alikes.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { crc32 } from 'node:zlib';

const MAGIC_COOKIE = 0x2112a442; // RFC 8489 §5
const FINGERPRINT_XOR = 0x5354554e; // RFC 8489 §14.7

function stunAttribute(type, value) {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function stunHeader(type, length, transactionId = randomBytes(12)) {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(h, 8);
  return h;
}

/**
 * A well-formed ICE Binding request (RFC 8445 §7.1.2) for `username` whose
 * MESSAGE-INTEGRITY is random bytes, followed by a correct FINGERPRINT so that only the
 * integrity check can reject it.
 */
export function stunBindingWithBadIntegrity(username) {
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(0x6e7f00ff, 0);
  const attrs = Buffer.concat([
    stunAttribute(0x0006, Buffer.from(username, 'utf8')), // USERNAME
    stunAttribute(0x0024, priority), // PRIORITY
    stunAttribute(0x802a, randomBytes(8)), // ICE-CONTROLLING
    stunAttribute(0x0025, Buffer.alloc(0)), // USE-CANDIDATE
    stunAttribute(0x0008, randomBytes(20)), // MESSAGE-INTEGRITY (wrong)
  ]);
  const header = stunHeader(0x0001, attrs.length + 8);
  const withoutFingerprint = Buffer.concat([header, attrs]);
  const fp = Buffer.alloc(4);
  fp.writeUInt32BE((crc32(withoutFingerprint) ^ FINGERPRINT_XOR) >>> 0, 0);
  return Buffer.concat([withoutFingerprint, stunAttribute(0x8028, fp)]);
}

/** A STUN header that announces 200 bytes of attributes but carries 6. */
export function truncatedStun() {
  return Buffer.concat([stunHeader(0x0001, 200), Buffer.from([0x00, 0x06, 0x00, 0x20, 0x61, 0x62])]);
}

/** A STUN message whose single attribute claims 0xfff0 bytes. */
export function stunWithOversizedAttribute() {
  const attr = Buffer.from([0x00, 0x06, 0xff, 0xf0, 0x61, 0x62, 0x63, 0x64]);
  return Buffer.concat([stunHeader(0x0001, attr.length), attr]);
}

/** Only the first 10 bytes of a STUN header. */
export function stunHeaderFragment() {
  return stunHeader(0x0001, 0).subarray(0, 10);
}

/** A plain (unencrypted) RTP packet with an SSRC nobody negotiated. */
export function rtpWithBogusSsrc(payloadType = 111) {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = payloadType & 0x7f;
  h.writeUInt16BE(Math.floor(Math.random() * 65536), 2);
  h.writeUInt32BE(Math.floor(Math.random() * 2 ** 32), 4);
  h.writeUInt32BE(Math.floor(Math.random() * 2 ** 32), 8);
  return Buffer.concat([h, randomBytes(120)]);
}

/** An RTCP sender-report header followed by junk, and a lying length. */
export function rtcpGarbage() {
  const b = randomBytes(40);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(0x4000, 2);
  return b;
}

/** A DTLS 1.2 handshake record header with a random body and a lying length. */
export function dtlsGarbage() {
  const b = randomBytes(60);
  b[0] = 0x16;
  b[1] = 0xfe;
  b[2] = 0xfd;
  b.writeUInt16BE(0x3fff, 11);
  return b;
}

/** One of each kind plus random-byte datagrams of assorted sizes (and an empty one). */
export function garbageSet({ username } = {}) {
  const set = [
    Buffer.alloc(0),
    randomBytes(1),
    randomBytes(19),
    randomBytes(20),
    randomBytes(100),
    randomBytes(1200),
    truncatedStun(),
    stunWithOversizedAttribute(),
    stunHeaderFragment(),
    rtpWithBogusSsrc(111),
    rtpWithBogusSsrc(96),
    rtcpGarbage(),
    dtlsGarbage(),
  ];
  if (username) {
    set.push(stunBindingWithBadIntegrity(username));
  }
  return set;
}

/**
 * Sends `rounds` × garbageSet() to each target ({address, port}) from a fresh socket.
 * Returns {sent, responses} where responses are the datagrams the server sent back.
 */
export async function sprayGarbage(targets, { rounds = 50, username } = {}) {
  const socket = dgram.createSocket('udp4');
  const responses = [];
  socket.on('message', (msg) => responses.push(msg));
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let sent = 0;
  for (let r = 0; r < rounds; r++) {
    for (const target of targets) {
      for (const packet of garbageSet({ username })) {
        await new Promise((resolve) => socket.send(packet, target.port, target.address, () => resolve()));
        sent += 1;
      }
    }
  }
  return { sent, responses, close: () => new Promise((resolve) => socket.close(resolve)) };
}

/** True if `msg` is a STUN Binding success response (RFC 8489 §6: class 0b10, method 1). */
export function isStunBindingSuccess(msg) {
  return msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.readUInt32BE(4) === MAGIC_COOKIE;
}
