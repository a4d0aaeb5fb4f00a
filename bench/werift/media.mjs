// Synthetic media for the werift cross-check, shaped like `medrtc loadgen`'s
// (src/client/synthetic_publisher.cpp, media_sender.cpp): 80-byte Opus frames every 20 ms,
// and VP8 at 30 fps averaging the video bitrate, with a keyframe every 3 s four times a
// delta frame, split into RTP payloads of at most 1,100 bytes. Same packets per second and
// bytes, so the server forwards the same load whichever client sends it.
//
// One pacer drives every source of the process from a single timer, drift-free: frame k of
// a source goes at its start + k × interval, and a late timer turn sends every frame that
// became due. Only frames more than MAX_LATE_MS late are skipped (and counted): a Node
// process starved of CPU for a second would otherwise send that second in one burst,
// overflowing the server's socket buffer, which no browser does.
import { RtpHeader, RtpPacket } from 'werift';

const AUDIO_INTERVAL_MS = 20;
const AUDIO_SAMPLES_PER_FRAME = 960; // 20 ms at 48 kHz
const AUDIO_PAYLOAD_BYTES = 80;
const VIDEO_FPS = 30;
const VIDEO_TICKS_PER_FRAME = 90000 / VIDEO_FPS;
const KEYFRAME_INTERVAL_S = 3;
const KEYFRAME_SIZE_FACTOR = 4;
const PACER_TICK_MS = 2;
const MAX_LATE_MS = 200;

/** Delta and keyframe sizes as SyntheticPublisher computes them for `videoBitrateBps`. */
export function videoFrameSizes(videoBitrateBps) {
  const framesPerKeyframe = KEYFRAME_INTERVAL_S * VIDEO_FPS;
  const bytesPerInterval = (videoBitrateBps / 8) * framesPerKeyframe / VIDEO_FPS;
  const delta = Math.floor(bytesPerInterval / (framesPerKeyframe - 1 + KEYFRAME_SIZE_FACTOR));
  return { framesPerKeyframe, delta, keyframe: Math.floor(delta * KEYFRAME_SIZE_FACTOR) };
}

/**
 * VP8 RTP payloads of one frame (RFC 7741): a one-byte descriptor (S on the first packet),
 * and on the first packet a frame tag (RFC 6386 §9.1), with the keyframe start code and
 * a size on keyframes. The frame is split into equal parts of at most `maxPayload` bytes.
 */
export function vp8FramePayloads(frameBytes, keyframe, maxPayload, fill) {
  const count = Math.max(1, Math.ceil(frameBytes / (maxPayload - 1)));
  const part = Math.ceil(frameBytes / count);
  const payloads = [];
  for (let i = 0; i < count; i++) {
    const size = Math.min(part, frameBytes - i * part);
    const p = Buffer.alloc(1 + Math.max(size, 10), fill);
    p[0] = i === 0 ? 0x10 : 0x00;
    if (i === 0) {
      const tag = (keyframe ? 0 : 1) | (1 << 4) | (64 << 5);
      p[1] = tag & 0xff;
      p[2] = (tag >> 8) & 0xff;
      p[3] = (tag >> 16) & 0xff;
      if (keyframe) {
        p.set([0x9d, 0x01, 0x2a, 640 & 0xff, 640 >> 8, 360 & 0xff, 360 >> 8], 4);
      }
    }
    payloads.push(p);
  }
  return payloads;
}

function randomUint(bits) {
  return Math.floor(Math.random() * 2 ** bits);
}

/** RTP written into one werift sending track, counting what it sent. */
class Stream {
  constructor(track) {
    this.track = track;
    this.seq = randomUint(16);
    this.timestamp = randomUint(32);
    this.packets = 0;
  }

  write(payload, marker) {
    const header = new RtpHeader({
      marker,
      payloadType: 96, // werift's sender puts the negotiated payload type and SSRC
      sequenceNumber: this.seq,
      timestamp: this.timestamp,
      ssrc: 0,
    });
    this.seq = (this.seq + 1) & 0xffff;
    try {
      this.track.writeRtp(new RtpPacket(header, payload));
      this.packets += 1;
    } catch {
      // the connection is closing; the pacer drops this source on stop()
    }
  }
}

/** The audio and video of one publisher. */
export class Source {
  constructor({ audioTrack, videoTrack, videoBitrateBps, maxPayload }) {
    this.audio = new Stream(audioTrack);
    this.video = new Stream(videoTrack);
    this.sizes = videoFrameSizes(videoBitrateBps);
    this.maxPayload = maxPayload;
    this.audioFrames = 0;
    this.videoFrames = 0;
    this.keyframeWanted = false;
    this.startedAt = null;
    this.framesSkipped = 0;
  }

  get packetsSent() {
    return this.audio.packets + this.video.packets;
  }

  /** Sends every frame due by `now` (ms). */
  sendDue(now) {
    this.startedAt ??= now;
    // Frames too late to send: skipped, keeping their timestamps and (for video) their place
    // in the keyframe cycle, as an encoder that dropped them would.
    while (this.startedAt + this.audioFrames * AUDIO_INTERVAL_MS < now - MAX_LATE_MS) {
      this.audio.timestamp = (this.audio.timestamp + AUDIO_SAMPLES_PER_FRAME) >>> 0;
      this.audioFrames += 1;
      this.framesSkipped += 1;
    }
    while (this.startedAt + (this.videoFrames * 1000) / VIDEO_FPS < now - MAX_LATE_MS) {
      this.keyframeWanted ||= this.videoFrames % this.sizes.framesPerKeyframe === 0;
      this.video.timestamp = (this.video.timestamp + VIDEO_TICKS_PER_FRAME) >>> 0;
      this.videoFrames += 1;
      this.framesSkipped += 1;
    }
    while (this.startedAt + this.audioFrames * AUDIO_INTERVAL_MS <= now) {
      this.audio.write(Buffer.alloc(AUDIO_PAYLOAD_BYTES, this.audioFrames & 0xff).fill(0x78, 0, 1), true);
      this.audio.timestamp = (this.audio.timestamp + AUDIO_SAMPLES_PER_FRAME) >>> 0;
      this.audioFrames += 1;
    }
    while (this.startedAt + (this.videoFrames * 1000) / VIDEO_FPS <= now) {
      const keyframe = this.keyframeWanted || this.videoFrames % this.sizes.framesPerKeyframe === 0;
      this.keyframeWanted = false;
      const payloads = vp8FramePayloads(keyframe ? this.sizes.keyframe : this.sizes.delta, keyframe,
        this.maxPayload, this.videoFrames & 0xff);
      payloads.forEach((p, i) => this.video.write(p, i === payloads.length - 1));
      this.video.timestamp = (this.video.timestamp + VIDEO_TICKS_PER_FRAME) >>> 0;
      this.videoFrames += 1;
    }
  }
}

/** Drives every started Source of the process from one timer. */
export class Pacer {
  constructor() {
    this.sources = new Set();
    this.timer = null;
  }

  add(source) {
    this.sources.add(source);
    this.timer ??= setInterval(() => {
      const now = performance.now();
      for (const s of this.sources) {
        s.sendDue(now);
      }
    }, PACER_TICK_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.sources.clear();
  }
}

/**
 * Received RTP of one subscriber: packets per kind, and per SSRC the extended highest
 * sequence number, so that loss over a window is (highest − highest at window start) −
 * packets received in it.
 */
export class ReceiveStats {
  constructor() {
    this.audio = 0;
    this.video = 0;
    this.streams = new Map(); // ssrc → {packets, highest, origin}
    this.firstAt = null;
  }

  count(kind, rtp) {
    this.firstAt ??= performance.now();
    if (kind === 'audio') {
      this.audio += 1;
    } else {
      this.video += 1;
    }
    const seq = rtp.header.sequenceNumber;
    let s = this.streams.get(rtp.header.ssrc);
    if (!s) {
      s = { packets: 0, highest: seq - 1, origin: seq - 1 };
      this.streams.set(rtp.header.ssrc, s);
    }
    s.packets += 1;
    // the nearest extended value to the highest so far (RFC 3550 A.1, without probation)
    const base = s.highest - (s.highest & 0xffff);
    let ext = base + seq;
    if (ext < s.highest - 0x8000) {
      ext += 0x10000;
    } else if (ext > s.highest + 0x8000) {
      ext -= 0x10000;
    }
    s.highest = Math.max(s.highest, ext);
  }

  snapshot() {
    const streams = new Map();
    for (const [ssrc, s] of this.streams) {
      streams.set(ssrc, { ...s });
    }
    return { audio: this.audio, video: this.video, streams };
  }

  /** {received, expected, lost} between two snapshots. */
  static delta(start, end) {
    let received = 0;
    let expected = 0;
    for (const [ssrc, e] of end.streams) {
      const s = start.streams.get(ssrc);
      received += e.packets - (s?.packets ?? 0);
      // a stream that began inside the window counts from its first packet
      expected += e.highest - (s ? s.highest : e.origin);
    }
    return { received, expected, lost: Math.max(0, expected - received) };
  }
}
