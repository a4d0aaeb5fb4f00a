// Synthetic RTP sources for werift tracks: Opus-sized audio at 50 pps and VP8 video at
// ~30 fps. Each payload ends with a marker (sender id + kind) so a receiver can prove
// that the bytes it got are the ones this sender sent, untouched by the SFU.
import { RtpHeader, RtpPacket } from 'werift';

const MARKER_MAGIC = Buffer.from('MRK1');
const MARKER_ID_LENGTH = 8;
/** magic (4) + sender id (8) + kind byte (1) */
export const MARKER_LENGTH = MARKER_MAGIC.length + MARKER_ID_LENGTH + 1;

const AUDIO_PACKET_MS = 20;
const AUDIO_SAMPLES_PER_PACKET = 960; // 20 ms at 48 kHz (RFC 7587 §4.1: RTP clock is 48 kHz)
const AUDIO_PAYLOAD_BYTES = 80; // ~32 kbit/s Opus
const VIDEO_FRAME_MS = 33;
const VIDEO_TICKS_PER_FRAME = 3000; // 90 kHz / 30 fps
const VIDEO_KEYFRAME_INTERVAL = 30; // frames: one keyframe a second
const VIDEO_PACKETS_PER_FRAME = 2;
const VIDEO_FILLER_BYTES = 300;

/** A random 8-character id used as this sender's marker. */
export function newMarkerId() {
  return Math.random().toString(36).slice(2, 10).padEnd(MARKER_ID_LENGTH, '0').slice(0, MARKER_ID_LENGTH);
}

function markerBytes(markerId, kind) {
  return Buffer.concat([MARKER_MAGIC, Buffer.from(markerId, 'ascii'), Buffer.from(kind === 'audio' ? 'a' : 'v')]);
}

/** Returns {markerId, kind} if the payload ends with a marker, else null. */
export function parseMarker(payload) {
  if (!payload || payload.length < MARKER_LENGTH) {
    return null;
  }
  const tail = payload.subarray(payload.length - MARKER_LENGTH);
  if (!tail.subarray(0, MARKER_MAGIC.length).equals(MARKER_MAGIC)) {
    return null;
  }
  const markerId = tail.subarray(MARKER_MAGIC.length, MARKER_MAGIC.length + MARKER_ID_LENGTH).toString('ascii');
  const kindByte = String.fromCharCode(tail[MARKER_LENGTH - 1]);
  return { markerId, kind: kindByte === 'a' ? 'audio' : kindByte === 'v' ? 'video' : 'unknown' };
}

/** Opus payload: a TOC byte (RFC 6716 §3.1, config 15 = hybrid FB 20 ms, mono, one frame) then filler. */
export function opusPayload(markerId, counter) {
  const body = Buffer.alloc(AUDIO_PAYLOAD_BYTES - MARKER_LENGTH);
  body[0] = 0x78;
  body.fill(counter & 0xff, 1);
  return Buffer.concat([body, markerBytes(markerId, 'audio')]);
}

/**
 * VP8 payload (RFC 7741 §4.2): a one-byte payload descriptor (S bit set on the first packet
 * of a frame, PID 0), and on the first packet the VP8 frame header (RFC 6386 §9.1): 3-byte
 * frame tag, plus the start code and dimensions on keyframes.
 */
export function vp8Payload(markerId, { firstPacketOfFrame, keyframe, frameNumber }) {
  const parts = [];
  parts.push(Buffer.from([firstPacketOfFrame ? 0x10 : 0x00]));
  if (firstPacketOfFrame) {
    const firstPartitionSize = 64;
    // frame tag: bit0 = !keyframe (P), bits1-3 version 0, bit4 show_frame, bits5-23 partition size
    const tag = (keyframe ? 0 : 1) | (1 << 4) | (firstPartitionSize << 5);
    parts.push(Buffer.from([tag & 0xff, (tag >> 8) & 0xff, (tag >> 16) & 0xff]));
    if (keyframe) {
      // start code 9d 01 2a, width 320 and height 240, 14 bits each little-endian, scale 0
      parts.push(Buffer.from([0x9d, 0x01, 0x2a, 320 & 0xff, 320 >> 8, 240 & 0xff, 240 >> 8]));
    }
  }
  parts.push(Buffer.alloc(VIDEO_FILLER_BYTES, frameNumber & 0xff));
  parts.push(markerBytes(markerId, 'video'));
  return Buffer.concat(parts);
}

function randomUint(bits) {
  return Math.floor(Math.random() * 2 ** bits);
}

/**
 * Writes synthetic RTP into a werift track on a timer. werift's sender rewrites SSRC,
 * payload type and applies its own offsets; we choose sequence numbers and timestamps
 * so that the stream is continuous.
 */
export class SyntheticSource {
  constructor(track, markerId) {
    this.track = track;
    this.markerId = markerId;
    this.kind = track.kind;
    this.sequenceNumber = randomUint(16);
    this.timestamp = randomUint(32);
    this.packetsSent = 0;
    this.framesSent = 0;
    this.timer = null;
    this.forceKeyframe = false;
  }

  start() {
    if (this.timer) {
      return;
    }
    const interval = this.kind === 'audio' ? AUDIO_PACKET_MS : VIDEO_FRAME_MS;
    this.timer = setInterval(() => this.tick(), interval);
  }

  stop() {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Asks for a keyframe on the next video frame (e.g. after a PLI). */
  requestKeyframe() {
    this.forceKeyframe = true;
  }

  tick() {
    if (this.track.stopped) {
      this.stop();
      return;
    }
    if (this.kind === 'audio') {
      this.write(opusPayload(this.markerId, this.packetsSent), true);
      this.timestamp = (this.timestamp + AUDIO_SAMPLES_PER_PACKET) >>> 0;
      return;
    }
    const keyframe = this.forceKeyframe || this.framesSent % VIDEO_KEYFRAME_INTERVAL === 0;
    this.forceKeyframe = false;
    for (let i = 0; i < VIDEO_PACKETS_PER_FRAME; i++) {
      const payload = vp8Payload(this.markerId, {
        firstPacketOfFrame: i === 0,
        keyframe,
        frameNumber: this.framesSent,
      });
      this.write(payload, i === VIDEO_PACKETS_PER_FRAME - 1);
    }
    this.framesSent += 1;
    this.timestamp = (this.timestamp + VIDEO_TICKS_PER_FRAME) >>> 0;
  }

  write(payload, marker) {
    const header = new RtpHeader({
      version: 2,
      padding: false,
      extension: false,
      marker,
      payloadType: 96, // rewritten by the werift sender to the negotiated one
      sequenceNumber: this.sequenceNumber,
      timestamp: this.timestamp,
      ssrc: 0, // rewritten by the werift sender
    });
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.packetsSent += 1;
    try {
      this.track.writeRtp(new RtpPacket(header, payload));
    } catch {
      // the sender is gone (connection closed); the timer stops on the next tick
    }
  }
}
