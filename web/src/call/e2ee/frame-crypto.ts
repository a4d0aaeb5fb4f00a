// Puts the SFrame worker (worker.ts) on our RTP senders and receivers: an
// RTCRtpScriptTransform where the browser has it (Firefox, Safari, current Chromium),
// else Chromium's encoded streams (the peer connection then needs
// `encodedInsertableStreams: true`, see encodedStreamsConfig). Video goes as VP8 only:
// its payload header is what we leave clear for the SFU (docs/e2ee.md).
import type { TransformOptions, WorkerCommand, WorkerStats } from './worker-protocol';

declare global {
  // Chromium's encoded streams (not in TypeScript's DOM library).
  interface RTCRtpSender {
    createEncodedStreams?: () => { readable: ReadableStream; writable: WritableStream };
  }
  interface RTCRtpReceiver {
    createEncodedStreams?: () => { readable: ReadableStream; writable: WritableStream };
  }
}

function hasScriptTransform(): boolean {
  return typeof (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function';
}

function hasEncodedStreams(): boolean {
  return typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype;
}

/** Whether this browser can take part in an end-to-end encrypted call (join capability "e2ee"). */
export function e2eeSupported(): boolean {
  return typeof crypto !== 'undefined' && !!crypto.subtle && typeof Worker === 'function' && (hasScriptTransform() || hasEncodedStreams());
}

/** Extra RTCConfiguration for a connection whose frames we encrypt. */
export function encodedStreamsConfig(): Record<string, unknown> {
  return hasScriptTransform() ? {} : { encodedInsertableStreams: true };
}

export class FrameCrypto {
  private readonly worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'medrtc-e2ee' });
  private readonly attached = new WeakSet<RTCRtpSender | RTCRtpReceiver>();
  stats: WorkerStats = { encrypted: 0, decrypted: 0, noKey: 0, failed: 0, replayed: 0, refusedKeys: 0, sendKid: null, cryptoMs: 0 };

  constructor() {
    this.worker.addEventListener('message', (ev: MessageEvent<{ type: string; stats: WorkerStats }>) => {
      if (ev.data?.type === 'stats') {
        this.stats = ev.data.stats;
      }
    });
  }

  post(cmd: WorkerCommand): void {
    this.worker.postMessage(cmd);
  }

  /** Encrypts every sender of `pc` (call before the offer); video limited to VP8. */
  attachSenders(pc: RTCPeerConnection): void {
    for (const tr of pc.getTransceivers()) {
      const kind = tr.sender.track?.kind;
      if (kind !== 'audio' && kind !== 'video') {
        continue;
      }
      if (kind === 'video') {
        preferVp8(tr);
      }
      this.attach(tr.sender, { side: 'send', kind });
    }
  }

  /**
   * Decrypts every receiver `pc` gets a track on, from the `track` event on, with the keys
   * of the participant whose track it is: the stream id (a=msid) is its participant id,
   * and the SFU never reuses a mid for another participant. A track without a stream
   * gets no sender, so none of its frames decrypt.
   */
  watchReceivers(pc: RTCPeerConnection): void {
    pc.addEventListener('track', (ev: RTCTrackEvent) => {
      const kind = ev.track.kind;
      const sender = ev.streams[0]?.id;
      if (kind === 'audio' || kind === 'video') {
        this.attach(ev.receiver, sender === undefined ? { side: 'recv', kind } : { side: 'recv', kind, sender });
      }
    });
  }

  private attach(endpoint: RTCRtpSender | RTCRtpReceiver, options: TransformOptions): void {
    if (this.attached.has(endpoint)) {
      return;
    }
    this.attached.add(endpoint);
    if (hasScriptTransform()) {
      endpoint.transform = new RTCRtpScriptTransform(this.worker, options);
      return;
    }
    const streams = endpoint.createEncodedStreams?.();
    if (streams) {
      this.worker.postMessage({ type: 'streams', readable: streams.readable, writable: streams.writable, options } satisfies WorkerCommand, [
        streams.readable as unknown as Transferable,
        streams.writable as unknown as Transferable,
      ]);
    }
  }

  close(): void {
    this.worker.terminate();
  }
}

function preferVp8(tr: RTCRtpTransceiver): void {
  const caps = (typeof RTCRtpReceiver.getCapabilities === 'function' && RTCRtpReceiver.getCapabilities('video')) || null;
  if (!caps || typeof tr.setCodecPreferences !== 'function') {
    return;
  }
  const vp8 = caps.codecs.filter((c) => /^video\/(vp8|rtx)$/i.test(c.mimeType));
  if (vp8.some((c) => /vp8/i.test(c.mimeType))) {
    try {
      tr.setCodecPreferences(vp8);
    } catch (err) {
      console.warn('medrtc: could not limit video to VP8', err);
    }
  }
}
