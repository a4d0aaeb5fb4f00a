// What the page and the transform worker (worker.ts) say to each other.
import type { Bytes } from './sframe';

export interface TransformOptions {
  side: 'send' | 'recv';
  kind: 'audio' | 'video';
  /** A receiver's sender (participant id): its frames decrypt only with that sender's keys. */
  sender?: string;
}

export type WorkerCommand =
  // Our sender key: used from the next keyframe we ask for (at once for the first key).
  | { type: 'send_key'; kid: string; key: Bytes }
  // A key another participant (`from`) sends with, by its KID; refused when the KID is another's.
  | { type: 'recv_key'; from: string; kid: string; key: Bytes }
  | { type: 'drop_key'; from: string; kid: string }
  // Chromium's encoded streams (no RTCRtpScriptTransform): the frames of one sender/receiver.
  | { type: 'streams'; readable: ReadableStream; writable: WritableStream; options: TransformOptions };

/** Frames the worker handled since it started (tests and the CPU-cost figures read them). */
export interface WorkerStats {
  encrypted: number;
  decrypted: number;
  /** Frames dropped because no key with their KID was known (yet). */
  noKey: number;
  /** Frames dropped because they did not authenticate. */
  failed: number;
  /** Frames dropped as replays (counter seen or too far behind, per key). */
  replayed: number;
  /** Keys (and drops) refused because their KID belongs to another sender. */
  refusedKeys: number;
  sendKid: string | null;
  /** Wall time spent in encrypt/decrypt (includes waiting for WebCrypto), in ms. */
  cryptoMs: number;
}

/**
 * The codec payload header left clear (and authenticated as SFrame metadata) so the SFU
 * still finds keyframes and the receiving browser's depacketizer still works: VP8's
 * 10-byte key frame header (frame tag + start code + size) or 3-byte delta frame tag,
 * Opus's TOC byte. Receivers see the same `type` the sender had (it comes from this
 * clear header).
 */
export function clearPrefixLength(kind: 'audio' | 'video', frameType: string | undefined): number {
  if (kind === 'audio') {
    return 1;
  }
  return frameType === 'key' ? 10 : 3;
}
