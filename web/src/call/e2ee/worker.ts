/// <reference lib="webworker" />
// The frame transform (docs/e2ee.md): runs off the page's thread, one worker per call.
// Senders: clear codec prefix ‖ SFrame(header ‖ ciphertext ‖ tag) with our current key;
// receivers: the key the header's KID names among the keys of the receiver's sender
// (receive-keys.ts), the frame dropped when none fits (never shown as garbage, never
// passed on in clear). The page sends keys in (`WorkerCommand`);
// frames reach us as RTCRtpScriptTransform events or, on a Chromium without it, as the
// streams of createEncodedStreams() posted here.
import { decryptFrom, ReceiveKeys } from './receive-keys';
import { concat, encrypt, importSFrameKey, type SFrameKey } from './sframe';
import { clearPrefixLength, type TransformOptions, type WorkerCommand, type WorkerStats } from './worker-protocol';


interface ScriptTransformer {
  readable: ReadableStream;
  writable: WritableStream;
  options: TransformOptions;
  generateKeyFrame?: (rid?: string) => Promise<void>;
}

interface EncodedFrame {
  data: ArrayBuffer;
  type?: 'key' | 'delta' | 'empty';
}

// A new key waits for the keyframe we ask for, at most this long (the receivers have had
// it for ~1 s already, so any frame decrypts; the keyframe only makes the switch clean).
const SWITCH_WAIT_MS = 500;

const recvKeys = new ReceiveKeys();
let sendKey: SFrameKey | null = null;
let nextSendKey: SFrameKey | null = null;
let switchTimer: ReturnType<typeof setTimeout> | undefined;
let counter = 0n;
const videoSenders = new Set<ScriptTransformer>();
const stats: WorkerStats = { encrypted: 0, decrypted: 0, noKey: 0, failed: 0, replayed: 0, refusedKeys: 0, sendKid: null, cryptoMs: 0 };

function promote(): void {
  if (nextSendKey) {
    sendKey = nextSendKey;
    nextSendKey = null;
    counter = 0n; // a new key has its own nonce space (salt from its own base key)
    stats.sendKid = String(sendKey.kid);
  }
  clearTimeout(switchTimer);
}

async function onCommand(cmd: WorkerCommand): Promise<void> {
  switch (cmd.type) {
    case 'send_key': {
      const key = await importSFrameKey(BigInt(cmd.kid), cmd.key);
      if (!sendKey) {
        nextSendKey = key;
        promote();
        return;
      }
      nextSendKey = key;
      clearTimeout(switchTimer);
      switchTimer = setTimeout(promote, SWITCH_WAIT_MS);
      for (const t of videoSenders) {
        t.generateKeyFrame?.().catch(() => undefined);
      }
      if (videoSenders.size === 0) {
        promote();
      }
      return;
    }
    case 'recv_key':
      if (!recvKeys.add(cmd.from, await importSFrameKey(BigInt(cmd.kid), cmd.key))) {
        console.warn('medrtc e2ee worker: a key id another sender owns; ignored');
      }
      stats.refusedKeys = recvKeys.refused;
      return;
    case 'drop_key':
      recvKeys.drop(cmd.from, BigInt(cmd.kid));
      stats.refusedKeys = recvKeys.refused;
      return;
    case 'streams':
      run(cmd.readable, cmd.writable, cmd.options, null);
      return;
  }
}

// Commands are applied in order (a key must be in before the frames that need it).
let pending = Promise.resolve();
self.onmessage = (ev: MessageEvent<WorkerCommand>) => {
  pending = pending.then(() => onCommand(ev.data)).catch((err) => console.error('medrtc e2ee worker:', err));
};

(self as unknown as { onrtctransform: (ev: { transformer: ScriptTransformer }) => void }).onrtctransform = (ev) => {
  const t = ev.transformer;
  run(t.readable, t.writable, t.options, t);
};

setInterval(() => self.postMessage({ type: 'stats', stats }), 1000);

function run(readable: ReadableStream, writable: WritableStream, options: TransformOptions, transformer: ScriptTransformer | null): void {
  if (transformer && options.side === 'send' && options.kind === 'video') {
    videoSenders.add(transformer);
  }
  const transform = options.side === 'send' ? encryptFrame : decryptFrame;
  readable
    .pipeThrough(new TransformStream<EncodedFrame, EncodedFrame>({ transform: (frame, controller) => transform(frame, controller, options) }))
    .pipeTo(writable)
    .catch(() => undefined) // the connection closed
    .finally(() => transformer && videoSenders.delete(transformer));
}

async function encryptFrame(frame: EncodedFrame, controller: TransformStreamDefaultController<EncodedFrame>, options: TransformOptions): Promise<void> {
  if (nextSendKey && options.kind === 'video' && frame.type === 'key') {
    promote();
  }
  const key = sendKey;
  if (!key) {
    return; // no key yet: send nothing rather than clear media
  }
  const data = new Uint8Array(frame.data);
  if (data.length === 0) {
    controller.enqueue(frame);
    return;
  }
  const clear = Math.min(clearPrefixLength(options.kind, frame.type), data.length);
  const prefix = data.subarray(0, clear);
  const ctr = counter;
  counter += 1n;
  const started = performance.now();
  const sealed = await encrypt(key, ctr, prefix, data.subarray(clear));
  frame.data = concat(prefix, sealed).buffer as ArrayBuffer;
  stats.cryptoMs += performance.now() - started;
  stats.encrypted += 1;
  controller.enqueue(frame);
}

async function decryptFrame(frame: EncodedFrame, controller: TransformStreamDefaultController<EncodedFrame>, options: TransformOptions): Promise<void> {
  const data = new Uint8Array(frame.data);
  if (data.length === 0) {
    controller.enqueue(frame);
    return;
  }
  const clear = Math.min(clearPrefixLength(options.kind, frame.type), data.length);
  const started = performance.now();
  try {
    const { plaintext } = await decryptFrom(recvKeys, options.sender, data.subarray(clear), data.subarray(0, clear));
    frame.data = concat(data.subarray(0, clear), plaintext).buffer as ArrayBuffer;
    stats.decrypted += 1;
    stats.cryptoMs += performance.now() - started;
    controller.enqueue(frame);
  } catch (err) {
    // Not ours to show: a key we do not have (yet), a replay, or bytes that do not authenticate.
    if (err instanceof Error && err.message.includes('unknown key id')) {
      stats.noKey += 1;
    } else if (err instanceof Error && err.message.includes('replayed')) {
      stats.replayed = recvKeys.replayed;
    } else {
      stats.failed += 1;
    }
  }
}
