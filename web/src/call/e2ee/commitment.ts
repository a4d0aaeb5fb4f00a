// The commitment round behind the security code (docs/e2ee.md "Security code"). Without
// it a server that swaps public keys could generate key pairs until its 6-digit code
// matches; with it every value that goes into the code is fixed before any is revealed.
//
// Whenever what the code covers changes (someone joins or leaves, a public key changes,
// our own DTLS fingerprint in a peer-to-peer call changes) we start a round: a fresh
// random 32-byte nonce, and to every other participant a commitment
// SHA-256("medrtc e2ee commit v1" ‖ public key ‖ fingerprint ‖ nonce). We reveal the nonce
// only when every other participant's current commitment acknowledges ours (it was made
// or re-sent after it saw ours), so nobody can pick its values after seeing ours. A
// reveal is checked against its commitment; a commitment that arrives with a new round
// after we revealed makes us start a fresh round, since our nonce is already out. The
// messages travel inside the pairwise `e2ee_key` ciphertexts (pairwise.ts), opaque to the
// server. No DOM here: tests/e2e/e2ee-commitment.test.mjs runs it in node.
//
// A server in the middle can still make us start round after round (a new commitment after
// we revealed, a faked key change, leave or rejoin) until our fresh code happens to match
// the other side's. Every nonce we reveal is one such attempt (1 in 10^6), so we count
// them: more than RESTART_LIMIT within RESTART_WINDOW_MS, or more than PEER_RESTART_LIMIT
// restarts one peer asks for within one membership, and the code reads "Not secure"
// (failure 'restarts') until a round after a quiet window completes.
import { fromBase64Url, toBase64Url } from './encoding';
import { shortAuthString } from './sas';
import type { Bytes } from './sframe';

const encoder = new TextEncoder();
const NONCE_BYTES = 32;

/** Reveals of ours allowed within RESTART_WINDOW_MS (docs/e2ee.md: a consultation's joins, leaves and reconnects stay below). */
export const RESTART_LIMIT = 12;
export const RESTART_WINDOW_MS = 60_000;
/** New rounds one peer may ask for after we revealed, per membership (crossing messages of one join take one or two). */
export const PEER_RESTART_LIMIT = 2;

export type SasMessage =
  | { sas: 'commit'; seq: number; hash: string; ack: number }
  | { sas: 'reveal'; seq: number; nonce: string; fp: string };

/** Why a participant's part of the code did not check out (its tile says so). */
export type SasFailure = 'reveal' | 'changed' | 'fingerprint' | 'restarts';

export type SasState =
  | { kind: 'pending' }
  | { kind: 'code'; code: string }
  | { kind: 'not_secure'; failures: Map<string, SasFailure> };

export interface SasMember {
  publicKey: string;
  /** Whether a pairwise channel to it exists (we can send it our commitment). */
  reachable: boolean;
}

interface PeerRound {
  publicKey: string;
  reachable: boolean;
  /** The DTLS fingerprint of our peer-to-peer connection with it ('' none; dtls-fingerprint.ts says from where). */
  remoteFp: string;
  /** Our connection with it names more than one certificate for it: someone in between. */
  remoteConflict: boolean;
  commit: { seq: number; hash: string; ack: number } | null;
  reveal: { nonce: Bytes; fp: string } | null;
  failure: SasFailure | null;
  /** Rounds of ours it started by a new commitment after we revealed, this membership. */
  restarts: number;
}

export async function commitmentOf(publicKey: string, fingerprint: string, nonce: Bytes): Promise<string> {
  const head = encoder.encode(`medrtc e2ee commit v1\n${publicKey}\n${fingerprint}\n`);
  const data = new Uint8Array(head.length + nonce.length);
  data.set(head);
  data.set(nonce, head.length);
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
}

export class SasRounds {
  private seq = 0;
  private nonce: Bytes = new Uint8Array(0);
  private hash = '';
  private revealed = false;
  private ownFp = '';
  private membership = '';
  private readonly peers = new Map<string, PeerRound>();
  /** When we revealed a nonce, within the last RESTART_WINDOW_MS. */
  private readonly reveals: number[] = [];
  /** Whether the current round's reveal came with at most RESTART_LIMIT in its window. */
  private quiet = true;
  /** Too many rounds: "Not secure" until a quiet round completes. */
  private alarm = false;

  constructor(
    private readonly publicKey: string,
    private readonly send: (to: string, msg: SasMessage) => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The participants in the call now (not us); starts a round when the set or a key changed. */
  async setMembers(members: Map<string, SasMember>): Promise<void> {
    for (const id of [...this.peers.keys()]) {
      if (!members.has(id)) {
        this.peers.delete(id);
      }
    }
    const newlyReachable: string[] = [];
    for (const [id, m] of members) {
      let peer = this.peers.get(id);
      if (!peer || peer.publicKey !== m.publicKey) {
        // A new key is a new participant as far as the code goes.
        peer = { publicKey: m.publicKey, reachable: false, remoteFp: peer?.remoteFp ?? '', remoteConflict: peer?.remoteConflict ?? false, commit: null, reveal: null, failure: null, restarts: 0 };
        this.peers.set(id, peer);
      }
      if (m.reachable && !peer.reachable) {
        newlyReachable.push(id);
      }
      peer.reachable = m.reachable;
    }
    const membership = [...members].map(([id, m]) => `${id}=${m.publicKey}`).sort().join(',');
    if (membership !== this.membership || this.seq === 0) {
      this.membership = membership;
      // A new membership: each peer may restart our round again (this round counts in the window).
      for (const peer of this.peers.values()) {
        peer.restarts = 0;
        if (peer.failure === 'restarts') {
          peer.failure = null;
        }
      }
      if (this.revealed || this.seq === 0) {
        await this.newRound();
        return;
      }
      // Our nonce of this round is not out yet: the newcomers get its commitment, and
      // nobody could fit a value to it, so it serves the new membership (one reveal, not two).
      for (const id of this.peers.keys()) {
        await this.sendCommit(id);
      }
      await this.maybeReveal();
      return;
    }
    for (const id of newlyReachable) {
      await this.sendCommit(id);
    }
  }

  /** Our own DTLS fingerprint toward a peer-to-peer peer ('' on the SFU): a new round when it changes. */
  async setOwnFingerprint(fp: string): Promise<void> {
    if (fp !== this.ownFp) {
      this.ownFp = fp;
      await this.newRound();
    }
  }

  /**
   * The fingerprint our peer-to-peer connection with `peer` shows for it ('' none), and
   * whether it shows more than one (its part of the code then reads "Not secure").
   */
  setRemoteFingerprint(peerId: string, fp: string, conflict = false): void {
    for (const [id, peer] of this.peers) {
      peer.remoteFp = id === peerId ? fp : '';
      peer.remoteConflict = id === peerId && conflict;
    }
  }

  async receive(from: string, msg: SasMessage): Promise<void> {
    const peer = this.peers.get(from);
    if (!peer || !Number.isSafeInteger(msg.seq) || msg.seq < 1) {
      return;
    }
    if (msg.sas === 'commit') {
      await this.receiveCommit(from, peer, msg);
    } else if (msg.sas === 'reveal') {
      await this.receiveReveal(peer, msg);
    }
  }

  private async receiveCommit(from: string, peer: PeerRound, msg: Extract<SasMessage, { sas: 'commit' }>): Promise<void> {
    if (typeof msg.hash !== 'string' || !Number.isSafeInteger(msg.ack)) {
      return;
    }
    const held = peer.commit;
    if (held && msg.seq < held.seq) {
      return; // an older round, overtaken
    }
    if (held && msg.seq === held.seq) {
      if (msg.hash !== held.hash) {
        // One round, two values: someone tries to pick again after seeing ours.
        peer.failure = 'changed';
        return;
      }
      held.ack = Math.max(held.ack, msg.ack);
      await this.maybeReveal();
      return;
    }
    if (this.revealed) {
      peer.restarts += 1;
      if (peer.restarts > PEER_RESTART_LIMIT) {
        // Each restart is one more try at a matching code: no more from it this membership.
        peer.failure ??= 'restarts';
        return;
      }
    }
    peer.commit = { seq: msg.seq, hash: msg.hash, ack: msg.ack };
    peer.reveal = null;
    if (this.revealed) {
      // Our nonce is out: a value committed now could have been chosen knowing it.
      await this.newRound();
      return;
    }
    // Tell it we saw its round (same commitment, new acknowledgement).
    await this.sendCommit(from);
    await this.maybeReveal();
  }

  private async receiveReveal(peer: PeerRound, msg: Extract<SasMessage, { sas: 'reveal' }>): Promise<void> {
    if (!peer.commit || msg.seq !== peer.commit.seq || peer.reveal) {
      return; // not the round we hold (stale or early), or already revealed
    }
    const nonce = typeof msg.nonce === 'string' ? fromBase64Url(msg.nonce) : null;
    const fp = typeof msg.fp === 'string' ? msg.fp : '';
    if (!nonce || nonce.length !== NONCE_BYTES || (await commitmentOf(peer.publicKey, fp, nonce)) !== peer.commit.hash) {
      peer.failure = 'reveal';
      return;
    }
    peer.reveal = { nonce, fp };
  }

  private async newRound(): Promise<void> {
    this.seq += 1;
    this.nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    this.hash = await commitmentOf(this.publicKey, this.ownFp, this.nonce);
    this.revealed = false;
    for (const id of this.peers.keys()) {
      await this.sendCommit(id);
    }
    await this.maybeReveal();
  }

  private async sendCommit(to: string): Promise<void> {
    const peer = this.peers.get(to);
    if (peer?.reachable && this.seq > 0) {
      await this.send(to, { sas: 'commit', seq: this.seq, hash: this.hash, ack: peer.commit?.seq ?? 0 });
    }
  }

  /** Reveals our nonce once everyone's current commitment was made after it saw ours. */
  private async maybeReveal(): Promise<void> {
    if (this.revealed || this.seq === 0) {
      return;
    }
    for (const peer of this.peers.values()) {
      if (!peer.reachable || !peer.commit || peer.commit.ack !== this.seq) {
        return;
      }
    }
    this.revealed = true;
    this.countReveal();
    const nonce = toBase64Url(this.nonce);
    for (const id of this.peers.keys()) {
      await this.send(id, { sas: 'reveal', seq: this.seq, nonce, fp: this.ownFp });
    }
  }

  private countReveal(): void {
    const now = this.now();
    while (this.reveals.length > 0 && (this.reveals[0] ?? now) <= now - RESTART_WINDOW_MS) {
      this.reveals.shift();
    }
    this.reveals.push(now);
    this.quiet = this.reveals.length <= RESTART_LIMIT;
    if (!this.quiet) {
      this.alarm = true;
    }
  }

  /** When the alarm may end (ms on `now`'s clock): the round started then is quiet; null when no alarm. */
  get alarmUntil(): number | null {
    return this.alarm ? (this.reveals.at(-RESTART_LIMIT) ?? this.now()) + RESTART_WINDOW_MS : null;
  }

  /**
   * After an alarm, once its window has passed: a fresh round, which clears it when it
   * completes. Nothing while our current round is quiet or not yet revealed (its reveal
   * is counted when it comes), so a slow round is not restarted again and again.
   */
  async afterAlarm(): Promise<void> {
    const until = this.alarmUntil;
    if (until !== null && this.now() >= until && this.revealed && !this.quiet) {
      await this.newRound();
    }
  }

  /** Whether our nonce of the current round went out (tests: never before all commitments). */
  get hasRevealed(): boolean {
    return this.revealed;
  }

  /** What the panel shows: the code, "Being set up…" while a part is missing, or why not. */
  async state(): Promise<SasState> {
    const failures = new Map<string, SasFailure>();
    for (const [id, peer] of this.peers) {
      if (peer.failure) {
        failures.set(id, peer.failure);
      } else if (peer.remoteConflict) {
        failures.set(id, 'fingerprint');
      } else if (peer.reveal && peer.reveal.fp !== '' && peer.remoteFp !== '' && peer.reveal.fp !== peer.remoteFp) {
        // It committed to one certificate, our connection shows another: someone in between.
        failures.set(id, 'fingerprint');
      }
    }
    const state = await this.codeState();
    if (this.alarm && failures.size === 0 && state.kind === 'code' && this.quiet) {
      this.alarm = false; // a round begun after a quiet window completed
    }
    if (this.alarm) {
      for (const id of this.peers.keys()) {
        if (!failures.has(id)) {
          failures.set(id, 'restarts');
        }
      }
    }
    return failures.size > 0 || this.alarm ? { kind: 'not_secure', failures } : state;
  }

  /** The code from the current round's reveals, or pending while one is missing. */
  private async codeState(): Promise<SasState> {
    if (!this.revealed || this.publicKey === '') {
      return { kind: 'pending' };
    }
    const entries = [{ publicKey: this.publicKey, nonce: this.nonce, fingerprint: this.ownFp }];
    for (const peer of this.peers.values()) {
      // A fingerprint only one side knows yet: the other's round follows.
      if (!peer.reveal || peer.publicKey === '' || peer.reveal.fp !== peer.remoteFp) {
        return { kind: 'pending' };
      }
      entries.push({ publicKey: peer.publicKey, nonce: peer.reveal.nonce, fingerprint: peer.reveal.fp });
    }
    return { kind: 'code', code: await shortAuthString(entries) };
  }
}
