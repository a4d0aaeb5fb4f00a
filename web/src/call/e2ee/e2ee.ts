// The key manager of an end-to-end encrypted call (docs/e2ee.md). Every participant has
// its own SFrame sender key; it goes to each other participant over a pairwise channel
// (pairwise.ts) as an `e2ee_key` blob the server relays without being able to read it.
// Someone joins: we ratchet our key forward (HKDF, generation + 1), so the newcomer cannot
// read what came before. Someone leaves: a fresh random key, so they cannot read what
// follows. A new key is sent at once and used ~1 s later (everyone has it by then), from
// a keyframe; receivers keep a sender's previous key ~10 s so nothing in flight is lost.
// The security code's commitment round (commitment.ts) rides on the same pairwise blobs.
import type { ClientMessage, Participant } from '../protocol';
import { fromBase64Url, toBase64Url, toHex } from './encoding';
import { SasRounds, type SasFailure, type SasMember, type SasMessage, type SasState } from './commitment';
import { FrameCrypto } from './frame-crypto';
import { generateEcdh, open, pairwiseKey, seal } from './pairwise';
import { concat, type Bytes } from './sframe';

const SWITCH_AFTER_MS = 1_000;
const KEEP_PREVIOUS_MS = 10_000;
const encoder = new TextEncoder();

interface MediaKey {
  kid: string;
  gen: number;
  base: Bytes;
}

interface Peer {
  publicKey: string;
  pairwise: CryptoKey | null;
  sentCounter: bigint;
  seenCounter: bigint;
  /** The sender's keys we hold, newest last. */
  keys: MediaKey[];
}

/** Test-only: when a page sets `window.__medrtcE2eeKeyLog = []` before joining, every key is logged there. */
export interface KeyLogEntry {
  owner: string;
  kid: string;
  gen: number;
  key: string;
  at: number;
  /** 'made' (our own, when made), 'active' (ours, frames use it from now on) or 'received'. */
  event: 'made' | 'active' | 'received';
}

declare global {
  interface Window {
    __medrtcE2eeKeyLog?: KeyLogEntry[];
  }
}

function randomKid(): string {
  const v = crypto.getRandomValues(new Uint32Array(2));
  // 48 bits: unique among a call's keys without coordination, 7-byte SFrame header.
  return String(((BigInt(v[0] ?? 0) & 0xffffn) << 32n) | BigInt(v[1] ?? 0));
}

export class E2ee {
  readonly frames = new FrameCrypto();
  private ecdh: Awaited<ReturnType<typeof generateEcdh>> | null = null;
  private publicKey = '';
  private current: MediaKey | null = null;
  private next: MediaKey | null = null;
  private switchTimer: number | undefined;
  private readonly ownKeys = new Map<string, MediaKey>();
  private readonly peers = new Map<string, Peer>();
  // Every message is handled after the one before it (the crypto is async).
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private rounds: SasRounds | null = null;
  private sas: SasState = { kind: 'pending' };
  // After too many rounds (commitment.ts): a fresh round once the window has passed.
  private alarmTimer: number | undefined;

  constructor(
    private readonly selfId: string,
    private readonly send: (msg: ClientMessage) => void,
    private readonly onChange: () => void,
  ) {
    this.enqueue(async () => {
      this.ecdh = await generateEcdh();
      this.publicKey = toBase64Url(this.ecdh.publicRaw);
      this.rounds = new SasRounds(this.publicKey, (to, msg) => this.sendSas(to, msg));
      const first = { kid: randomKid(), gen: 0, base: crypto.getRandomValues(new Uint8Array(16)) };
      this.remember(first);
      this.activate(first);
      this.send({ type: 'e2ee_public_key', public_key: this.publicKey });
      await this.syncSas();
    });
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(() => (this.closed ? undefined : step())).catch((err) => console.error('medrtc e2ee:', err));
  }

  /** Settles when every message handed in so far is handled (tests, figures). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** A participant in the call (from `joined`, `participant_joined`, `resumed`). */
  participant(p: Participant): void {
    if (p.participant_id !== this.selfId && p.e2ee_public_key) {
      this.peerPublicKey(p.participant_id, p.e2ee_public_key);
    } else if (p.participant_id !== this.selfId && !this.peers.has(p.participant_id)) {
      this.enqueue(async () => {
        if (!this.peers.has(p.participant_id)) {
          this.peers.set(p.participant_id, { publicKey: '', pairwise: null, sentCounter: 0n, seenCounter: 0n, keys: [] });
          await this.syncSas();
        }
      });
    }
  }

  /** Someone new entered the call after us: ratchet, so they cannot read the past. */
  joined(participantId: string): void {
    if (participantId === this.selfId) {
      return;
    }
    this.enqueue(async () => {
      const from = this.next ?? this.current;
      if (!from) {
        return;
      }
      const ikm = await crypto.subtle.importKey('raw', from.base, 'HKDF', false, ['deriveBits']);
      const bits = await crypto.subtle.deriveBits(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('medrtc e2ee ratchet v1') },
        ikm,
        128,
      );
      await this.rotate({ kid: randomKid(), gen: from.gen + 1, base: new Uint8Array(bits) });
    });
  }

  /** Someone left or was removed: a fresh key, so they cannot read what follows. */
  left(participantId: string): void {
    this.enqueue(async () => {
      const peer = this.peers.get(participantId);
      this.peers.delete(participantId);
      for (const k of peer?.keys ?? []) {
        this.frames.post({ type: 'drop_key', from: participantId, kid: k.kid });
      }
      await this.rotate({ kid: randomKid(), gen: 0, base: crypto.getRandomValues(new Uint8Array(16)) });
      await this.syncSas();
    });
  }

  peerPublicKey(from: string, publicKey: string): void {
    this.enqueue(async () => {
      const raw = fromBase64Url(publicKey);
      if (!raw || raw.length !== 65 || raw[0] !== 0x04 || !this.ecdh) {
        console.warn('medrtc e2ee: a public key that is not a P-256 point; ignored');
        return;
      }
      const known = this.peers.get(from);
      if (known?.publicKey === publicKey && known.pairwise) {
        return;
      }
      // A new public key is a new channel: its counters start again.
      const peer: Peer = { publicKey, pairwise: null, sentCounter: 0n, seenCounter: 0n, keys: known?.keys ?? [] };
      peer.pairwise = await pairwiseKey(this.ecdh.keyPair, raw, this.selfId, from);
      this.peers.set(from, peer);
      const latest = this.next ?? this.current;
      if (latest) {
        await this.sendKeyTo(from, peer, latest);
      }
      await this.syncSas();
    });
  }

  /** An `e2ee_key` blob: another participant's sender key, for us. */
  keyMessage(from: string, ciphertext: string): void {
    this.enqueue(async () => {
      const peer = this.peers.get(from);
      const blob = fromBase64Url(ciphertext);
      if (!peer?.pairwise || !blob) {
        console.warn('medrtc e2ee: a key message we cannot read (no channel with its sender)');
        return;
      }
      const opened = await open(peer.pairwise, from, this.selfId, blob);
      if (!opened) {
        console.warn('medrtc e2ee: a key message that does not authenticate; ignored');
        return;
      }
      if (opened.counter <= peer.seenCounter) {
        console.warn('medrtc e2ee: a replayed key message; ignored');
        return;
      }
      peer.seenCounter = opened.counter;
      const parsed = JSON.parse(new TextDecoder().decode(opened.payload)) as { kid: string; gen: number; key: string } | SasMessage;
      if ('sas' in parsed) {
        await this.rounds?.receive(from, parsed);
        await this.refreshSas();
        return;
      }
      const base = fromBase64Url(parsed.key);
      if (!base || base.length !== 16 || !/^\d{1,20}$/.test(parsed.kid)) {
        return;
      }
      // A KID is its sender's: one that another participant (or we) already use is refused
      // here (chat, "secured") and in the worker (frames).
      if (this.ownKeys.has(parsed.kid) || [...this.peers].some(([id, p]) => id !== from && p.keys.some((k) => k.kid === parsed.kid))) {
        console.warn('medrtc e2ee: a key id another participant uses; ignored');
        return;
      }
      const key = { kid: parsed.kid, gen: parsed.gen, base };
      this.frames.post({ type: 'recv_key', from, kid: key.kid, key: key.base });
      this.log(from, key, 'received');
      const previous = peer.keys.slice();
      peer.keys = [...previous, key].slice(-3);
      window.setTimeout(() => {
        // The sender's older keys go after the grace, unless it went back to one.
        for (const old of previous) {
          if (this.peers.get(from)?.keys.at(-1)?.kid !== old.kid) {
            this.frames.post({ type: 'drop_key', from, kid: old.kid });
          }
        }
        const p = this.peers.get(from);
        if (p) {
          p.keys = p.keys.filter((k) => !previous.includes(k));
        }
      }, KEEP_PREVIOUS_MS);
      this.onChange();
    });
  }

  private async rotate(key: MediaKey): Promise<void> {
    this.remember(key);
    this.next = key;
    for (const [id, peer] of this.peers) {
      if (peer.pairwise) {
        await this.sendKeyTo(id, peer, key);
      }
    }
    window.clearTimeout(this.switchTimer);
    this.switchTimer = window.setTimeout(() => {
      if (this.next === key && !this.closed) {
        this.next = null;
        this.activate(key);
      }
    }, SWITCH_AFTER_MS);
  }

  private remember(key: MediaKey): void {
    this.ownKeys.set(key.kid, key);
    this.log(this.selfId, key, 'made');
  }

  private activate(key: MediaKey): void {
    this.current = key;
    this.frames.post({ type: 'send_key', kid: key.kid, key: key.base });
    this.log(this.selfId, key, 'active');
    // Own chat echoes may still name an older key for a while.
    for (const kid of [...this.ownKeys.keys()].slice(0, -4)) {
      this.ownKeys.delete(kid);
    }
  }

  private async sendKeyTo(to: string, peer: Peer, key: MediaKey): Promise<void> {
    if (!peer.pairwise) {
      return;
    }
    peer.sentCounter += 1n;
    const payload = encoder.encode(JSON.stringify({ kid: key.kid, gen: key.gen, key: toBase64Url(key.base) }));
    const blob = await seal(peer.pairwise, this.selfId, to, peer.sentCounter, payload);
    this.send({ type: 'e2ee_key', to, ciphertext: toBase64Url(blob) });
  }

  private log(owner: string, key: MediaKey, event: KeyLogEntry['event']): void {
    window.__medrtcE2eeKeyLog?.push({ owner, kid: key.kid, gen: key.gen, key: toHex(key.base), at: Date.now(), event });
  }

  /**
   * The DTLS fingerprints of our peer-to-peer connection (docs/p2p.md; p2p-fingerprints.ts
   * reads them): ours and the peer's, both '' when there is none; `conflict` when the
   * connection names more than one certificate for the peer. They go into the security
   * code, so a server that rewrites them in the SDP it relays shows.
   */
  p2pFingerprints(peerId: string, local: string, remote: string, conflict = false): void {
    this.enqueue(async () => {
      this.rounds?.setRemoteFingerprint(peerId, remote, conflict);
      await this.rounds?.setOwnFingerprint(local);
      await this.refreshSas();
    });
  }

  /** Hands the current participants to the commitment round, which starts a new one when they changed. */
  private async syncSas(): Promise<void> {
    const members = new Map<string, SasMember>();
    for (const [id, peer] of this.peers) {
      members.set(id, { publicKey: peer.publicKey, reachable: peer.pairwise !== null });
    }
    await this.rounds?.setMembers(members);
    await this.refreshSas();
  }

  private async sendSas(to: string, msg: SasMessage): Promise<void> {
    const peer = this.peers.get(to);
    if (!peer?.pairwise || this.closed) {
      return;
    }
    peer.sentCounter += 1n;
    const blob = await seal(peer.pairwise, this.selfId, to, peer.sentCounter, encoder.encode(JSON.stringify(msg)));
    this.send({ type: 'e2ee_key', to, ciphertext: toBase64Url(blob) });
  }

  private async refreshSas(): Promise<void> {
    this.sas = this.rounds ? await this.rounds.state() : { kind: 'pending' };
    this.onChange();
    // Only a window still to pass needs the timer; a round already quiet clears the alarm itself.
    const until = this.rounds?.alarmUntil ?? null;
    if (until !== null && until > performance.now() && this.alarmTimer === undefined && !this.closed) {
      this.alarmTimer = window.setTimeout(() => {
        this.alarmTimer = undefined;
        this.enqueue(async () => {
          await this.rounds?.afterAlarm();
          await this.refreshSas();
        });
      }, Math.max(0, until - performance.now()) + 100);
    }
  }

  /** The 6 digits everyone in the call sees, or null while a part is missing or did not check out. */
  get code(): string | null {
    return this.sas.kind === 'code' ? this.sas.code : null;
  }

  /** True when someone's part of the code did not check out (the code reads "Not secure"). */
  get notSecure(): boolean {
    return this.sas.kind === 'not_secure';
  }

  /** Why this participant's part of the code did not check out, or null. */
  failure(participantId: string): SasFailure | null {
    return this.sas.kind === 'not_secure' ? this.sas.failures.get(participantId) ?? null : null;
  }

  /** Whether we hold a key of this participant's, i.e. its media and chat reach us encrypted. */
  secured(participantId: string): boolean {
    return (this.peers.get(participantId)?.keys.length ?? 0) > 0;
  }

  /** Chat text → `chat.ciphertext`: KID (8 bytes) ‖ IV ‖ AES-GCM under our current key. */
  async encryptChat(text: string): Promise<string | null> {
    await this.chain;
    const key = this.current;
    if (!key) {
      return null;
    }
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: chatAad(this.selfId) }, await chatKey(key), encoder.encode(text));
    const kid = new Uint8Array(8);
    new DataView(kid.buffer).setBigUint64(0, BigInt(key.kid));
    return toBase64Url(concat(kid, iv, new Uint8Array(ct)));
  }

  /** The text of a `chat.ciphertext`, or null when we hold no key of the sender's for it. */
  async decryptChat(from: string, ciphertext: string): Promise<string | null> {
    await this.chain;
    const blob = fromBase64Url(ciphertext);
    if (!blob || blob.length < 8 + 12 + 16) {
      return null;
    }
    const kid = String(new DataView(blob.buffer, blob.byteOffset, 8).getBigUint64(0));
    const key = from === this.selfId ? this.ownKeys.get(kid) : this.peers.get(from)?.keys.find((k) => k.kid === kid);
    if (!key) {
      return null;
    }
    try {
      const pt = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: blob.subarray(8, 20), additionalData: chatAad(from) },
        await chatKey(key),
        blob.subarray(20),
      );
      return new TextDecoder().decode(pt);
    } catch {
      return null;
    }
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.switchTimer);
    window.clearTimeout(this.alarmTimer);
    this.frames.close();
  }
}

function chatAad(from: string): Bytes {
  return encoder.encode(`medrtc e2ee chat v1|${from}`);
}

async function chatKey(key: MediaKey): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey('raw', key.base, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('medrtc e2ee chat v1') },
    ikm,
    { name: 'AES-GCM', length: 128 },
    false,
    ['encrypt', 'decrypt'],
  );
}
