// One participant's call: join → publish → subscribe, mute/camera, leave, and reconnect
// when the socket drops unexpectedly: first by resuming our participant on a new socket
// (its peer connections and media untouched, docs/protocol.md "Recovery"), and when the
// server refuses that (or has no resume), by joining again with the same token.
import { t } from '../i18n';
import { debug } from './debug';
import { E2ee } from './e2ee/e2ee';
import { encodedStreamsConfig } from './e2ee/frame-crypto';
import { SecurityPanel } from './e2ee/security-panel';
import { acquireFull, hasTrack, setTrackEnabled, stopMedia, type LocalMedia } from './media';
import { MediaWatch } from './media-watch';
import { P2pLink } from './p2p';
import { watchP2pFingerprints } from './p2p-fingerprints';
import { IceRecovery, iceUfragOf } from './ice-restart';
import { FATAL_CODES, type ClientMessage, type MediaMode, type Participant, type ServerMessage } from './protocol';
import { Publisher } from './publisher';
import { CLOSE_RESUMING, Signaling, type CloseInfo } from './signaling';
import { Subscriber } from './subscriber';
import type { CallUi } from './ui';

export type SessionState =
  | 'prejoin'
  | 'joining'
  | 'waiting'
  | 'in_call'
  | 'reconnecting'
  | 'left'
  | 'ended'
  | 'denied'
  | 'removed'
  | 'error';

/**
 * A part of the page that follows the call (the host's waiting room and controls, the
 * chat). The session tells it what happens; it sends through `session.send`.
 */
export interface SessionExtension {
  /** Handles a message the session does not know; true when it did. */
  onMessage?(msg: ServerMessage): boolean;
  onJoined?(selfId: string): void;
  onParticipant?(p: Participant): void;
  onParticipantLeft?(participantId: string): void;
  /** The call is over or paused (left, ended, reconnecting): drop call-only UI. */
  onCallOver?(): void;
  /** The session reached an end state (left, ended, denied, removed, error). */
  onEnded?(state: SessionState): void;
  /** A non-fatal server error; true when the extension showed it itself. */
  onError?(code: string, requestType?: string): boolean;
}

const MAX_RECONNECTS = 6;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 8000];
// The server keeps a dropped participant this long (SignalingHub::kResumeGrace); a resume
// tried later would only be refused, so we join again instead.
const RESUME_GRACE_MS = 30_000;
// The first resume goes out at once: media is still flowing and nobody has noticed yet.
const RESUME_BACKOFF_MS = [0, 500, 1000, 2000, 4000, 8000];
// too_many_unjoined (40): not fatal for the client, which reconnects.
const CLOSE_TOO_MANY_UNJOINED = 4040;
// rate_limited (41) in reply to a join: too many joins with this token just now; try later.
const CLOSE_RATE_LIMITED = 4041;
// RFC 6455 Try Again Later: `internal` in reply to our join (the server's store was busy or
// failing); not fatal, we join again on a new socket after the backoff.
const CLOSE_TRY_AGAIN_LATER = 1013;
// A media stall replaces the socket at most this often (ice-restart.ts throttles restarts).
const STALL_RESUME_EVERY_MS = 3_000;

export function serverErrorText(code: string): string {
  return t.serverErrors[code] ?? t.serverErrorUnknown;
}

export class Session {
  media: LocalMedia | null = null;
  private state: SessionState = 'prejoin';
  private signaling: Signaling | null = null;
  private publisher: Publisher | null = null;
  private subscriber: Subscriber | null = null;
  // docs/p2p.md: in 'p2p' mode we publish nothing to the server; `p2p` carries the call.
  private mediaMode: MediaMode = 'sfu';
  private p2p: P2pLink | null = null;
  private readonly participants = new Map<string, Participant>();
  private audioMuted = false;
  private videoMuted = false;
  private reconnects = 0;
  private reconnectTimer: number | undefined;
  private fatalCode: string | null = null;
  private joinedOnce = false;
  private serverRestarting = false;
  // Session resume: the token from our last joined/waiting/resumed; while `resumingUntil`
  // is set we are on a socket that opened with `resume` (or about to open one).
  private resumeToken: string | null = null;
  private resumingUntil: number | null = null;
  private resumeAttempts = 0;
  private readonly extensions: SessionExtension[] = [];
  // E2EE rooms (`joined.e2ee`): our keys and the frame transform, the security code panel.
  private e2ee: E2ee | null = null;
  private securityPanel: SecurityPanel | null = null;
  // ICE restarts on the connections we hold, without leaving the call (ice-restart.ts).
  // A stall may be a new address, which leaves the socket behind too: replace it at once
  // (a resume costs nothing) and restart both server connections on the new one.
  private readonly iceRecovery = new IceRecovery(() => this.onMediaStall());
  private restartAfterResume = false;
  private lastStallAt = -Infinity;
  // "Connecting…" until media flows, then what to check and "Try again" (media-watch.ts).
  private readonly mediaWatch = new MediaWatch({
    onConnecting: () => {
      if (this.state === 'in_call') {
        this.ui.setStatus(t.connecting);
      }
    },
    onFlowing: () => {
      this.ui.showMediaStuck(false);
      if (this.state === 'in_call') {
        this.ui.setStatus(this.ui.remoteCount() > 0 ? t.inCall : t.waitingForOthers);
      }
    },
    onStuck: () => {
      if (this.state === 'in_call' || this.state === 'reconnecting') {
        console.warn('medrtc: no media connection after 10 s');
        this.ui.setAlert('');  // the notice replaces a "Reconnecting…" banner (scheduleReconnect)
        this.ui.showMediaStuck(true);
      }
    },
  });

  constructor(private readonly token: string, private readonly ui: CallUi) {
    ui.muteButton.addEventListener('click', () => this.toggle('audio'));
    ui.cameraButton.addEventListener('click', () => this.toggle('video'));
    ui.leaveButton.addEventListener('click', () => this.leave());
    ui.rejoinButton.addEventListener('click', () => void this.rejoin());
    ui.tryAgainButton.addEventListener('click', () => void this.rejoin());
    ui.mediaRetryButton.addEventListener('click', () => this.retryMedia());
    ui.onFirstRemoteFrame(() => {
      if (debug.marks.firstRemoteFrame === undefined) {
        debug.marks.firstRemoteFrame = performance.now();
      }
    });
    window.addEventListener('pagehide', () => this.signaling?.leave());
  }

  private setState(state: SessionState): void {
    if (this.state === 'in_call' && state !== 'in_call') {
      this.extensions.forEach((x) => x.onCallOver?.());
    }
    this.state = state;
    debug.state = state;
    document.body.dataset.state = state;
  }

  addExtension(ext: SessionExtension): void {
    this.extensions.push(ext);
  }

  get currentState(): SessionState {
    return this.state;
  }

  /** The participant's name as the others know it (placeholder if unknown). */
  participantName(participantId: string): string {
    return this.participants.get(participantId)?.name || t.guest;
  }

  send(msg: ClientMessage): void {
    this.signaling?.send(msg);
  }

  /** The user pressed Join (media already acquired, possibly empty). */
  join(): void {
    debug.marks.joinClicked = performance.now();
    delete debug.marks.firstRemoteFrame;
    this.fatalCode = null;
    this.serverRestarting = false;
    this.reconnects = 0;
    this.joinedOnce = false;
    this.resumeToken = null;
    this.resumingUntil = null;
    this.setState('joining');
    this.ui.joinButton.disabled = true;
    this.ui.setStatus(t.joining);
    this.ui.setAlert('');
    this.connect();
  }

  private connect(resumeToken: string | null = null): void {
    // Events of a socket we already replaced or closed ourselves are ignored.
    const signaling: Signaling = new Signaling(this.token, {
      onMessage: (msg) => {
        if (this.signaling === signaling) {
          this.onMessage(msg);
        }
      },
      onClose: (info) => {
        if (this.signaling === signaling && !info.byUs) {
          this.onClose(info);
        }
      },
    }, resumeToken);
    this.signaling = signaling;
  }

  private onMessage(msg: ServerMessage): void {
    switch (msg.type) {
      case 'resumed':
        this.onResumed(msg.resume_token, msg.waiting, msg.participants);
        break;
      case 'joined':
        if (this.resumingUntil !== null) {
          // The server took a join after a refused resume: our old connections are gone there.
          this.resumingUntil = null;
          this.teardownConnections();
        }
        this.resumeToken = msg.resume_token ?? null;
        void this.onJoined(msg.participant_id, msg.participants, msg.ice_servers, msg.media_mode ?? 'sfu', msg.e2ee === true);
        break;
      case 'publish_answer':
        this.publisher?.applyAnswer(msg.sdp).catch((err) => {
          console.error('medrtc: publish_answer could not be applied', err);
          this.ui.setAlert(t.mediaFailed);
        });
        break;
      case 'subscribe_offer':
        this.ensureSubscriber().handleOffer(msg.sdp, msg.version);
        break;
      case 'participant_joined':
        // Ratchet first: the newcomer must get only the key after it.
        this.e2ee?.joined(msg.participant.participant_id);
        this.addParticipant(msg.participant);
        this.ui.setStatus(t.participantJoined(msg.participant.name || t.guest));
        break;
      case 'participant_left': {
        const p = this.participants.get(msg.participant_id);
        this.participants.delete(msg.participant_id);
        this.ui.removeRemote(msg.participant_id);
        this.e2ee?.left(msg.participant_id);
        this.extensions.forEach((x) => x.onParticipantLeft?.(msg.participant_id));
        if (p) {
          this.ui.setStatus(t.participantLeft(p.name || t.guest));
        }
        break;
      }
      case 'waiting':
        if (msg.resume_token) {
          this.resumeToken = msg.resume_token;
        }
        this.onWaiting(msg.position);
        break;
      case 'denied':
        this.fatalCode = 'denied';
        this.end('denied', t.deniedTitle, t.deniedText);
        break;
      case 'removed':
        this.fatalCode = 'removed';
        this.end('removed', t.removedTitle, t.removedHint);
        break;
      case 'track_state': {
        if (msg.participant_id === debug.participantId) {
          // The host muted us (mute_participant): follow it locally so the button is right.
          this.applyRemoteMute(msg.kind, msg.muted);
          break;
        }
        const p = this.participants.get(msg.participant_id);
        if (p) {
          if (msg.kind === 'audio') {
            p.audio_muted = msg.muted;
          } else {
            p.video_muted = msg.muted;
          }
        }
        this.ui.setRemoteMuted(msg.participant_id, msg.kind, msg.muted);
        break;
      }
      case 'room_ended':
        if (msg.reason === 'server_shutdown') {
          // The server restarts (update, crash recovery): come back with the same token.
          this.serverRestarting = true;
          break;
        }
        this.end('ended', t.endedTitle, t.endedHint);
        break;
      case 'media_mode':
        this.onMediaMode(msg.mode, msg.peer, msg.polite === true);
        break;
      case 'p2p_signal':
        if (this.p2p && msg.from === this.p2p.peer) {
          void this.p2p.handle(msg.data);
        }
        break;
      case 'pong':
        break;
      case 'e2ee_public_key':
        this.e2ee?.peerPublicKey(msg.from, msg.public_key);
        break;
      case 'e2ee_key':
        this.e2ee?.keyMessage(msg.from, msg.ciphertext);
        break;
      case 'ice_restarted':
        debug.iceRestarts += 1;
        if (msg.connection === 'publisher') {
          this.publisher?.restartIce().catch((err) => console.error('medrtc: ICE restart offer failed', err));
        }
        // 'subscriber': the server's next subscribe_offer carries the new credentials.
        break;
      case 'error':
        this.onServerError(msg.code, msg.message, msg.request_type);
        break;
      default:
        if (!this.extensions.some((x) => x.onMessage?.(msg))) {
          console.warn('medrtc: unknown message type', (msg as { type: string }).type);
        }
    }
  }

  /** The server holds us in the waiting room: no transports, only our own position. */
  private onWaiting(position: number): void {
    const first = this.state !== 'waiting';
    this.reconnects = 0;
    this.teardownConnections();
    if (first) {
      this.participants.clear();
      this.ui.clearTiles();
    }
    this.setState('waiting');
    this.mediaWatch.stop();
    this.ui.showMediaStuck(false);
    debug.waitingPosition = position;
    this.ui.setAlert('');
    this.ui.showWaiting(position, this.media?.stream ?? null);
    if (first) {
      this.ui.setStatus(''); // the waiting screen says it; its heading has the focus
    }
  }

  private applyRemoteMute(kind: 'audio' | 'video', muted: boolean): void {
    const current = kind === 'audio' ? this.audioMuted : this.videoMuted;
    if (!muted || current || !hasTrack(this.media, kind)) {
      return; // only a host's "mute" is followed; unmuting stays the person's own choice
    }
    this.toggle(kind);
    if (kind === 'audio') {
      this.ui.setStatus(t.mutedByHost);
    }
  }

  private async onJoined(
    selfId: string,
    participants: Participant[],
    iceServers: RTCIceServer[],
    mode: MediaMode,
    e2ee: boolean,
  ): Promise<void> {
    this.joinedOnce = true;
    this.closeE2ee();
    if (e2ee) {
      this.openE2ee(selfId);
    }
    this.reconnects = 0;
    debug.participantId = selfId;
    debug.waitingPosition = null;
    this.setState('in_call');
    this.participants.clear();
    this.ui.clearTiles();
    this.ui.setLocal(this.media?.stream ?? new MediaStream());
    this.ui.setLocalMuted('audio', this.audioMuted || !hasTrack(this.media, 'audio'));
    this.ui.setLocalMuted('video', this.videoMuted || !hasTrack(this.media, 'video'));
    for (const p of participants) {
      if (p.participant_id !== selfId) {
        this.addParticipant(p);
      }
    }
    this.updateToggles();
    this.extensions.forEach((x) => x.onJoined?.(selfId));
    for (const p of this.participants.values()) {
      this.extensions.forEach((x) => x.onParticipant?.(p));
    }
    this.ui.show('call');
    this.ui.setAlert('');
    this.ui.setStatus(this.ui.remoteCount() > 0 ? t.inCall : t.waitingForOthers);

    // Tell the room our mute state (it survives a reconnect); a missing device counts as muted.
    for (const kind of ['audio', 'video'] as const) {
      const muted = kind === 'audio' ? this.audioMuted : this.videoMuted;
      if (muted || !hasTrack(this.media, kind)) {
        this.signaling?.send({ type: 'track_state', kind, muted: true });
      }
    }

    this.iceServers = iceServers ?? [];
    this.setMediaMode(mode);
    if (mode === 'sfu') {
      await this.startPublishing();
    }
    // 'p2p': hold the media until the server names our peer (media_mode), or sends us to the SFU.
  }

  private openE2ee(selfId: string): void {
    const e2ee: E2ee = new E2ee(selfId, (msg) => {
      if (this.e2ee === e2ee) {
        this.signaling?.send(msg);
      }
    }, () => this.showE2ee());
    this.e2ee = e2ee;
    this.securityPanel = new SecurityPanel(this.ui, e2ee);
    this.showE2ee();
  }

  private showE2ee(): void {
    const e2ee = this.e2ee;
    if (!e2ee) {
      debug.e2ee = null;
      return;
    }
    this.securityPanel?.update();
    const participants = this.participants;
    // Getters: tests read the worker's counters as they are now.
    debug.e2ee = {
      get code() {
        return e2ee.code;
      },
      get stats() {
        return e2ee.frames.stats;
      },
      get secured() {
        return Object.fromEntries([...participants.keys()].map((id) => [id, e2ee.secured(id)]));
      },
    };
  }

  private closeE2ee(): void {
    this.e2ee?.close();
    this.e2ee = null;
    this.securityPanel?.remove();
    this.securityPanel = null;
    debug.e2ee = null;
  }

  /** End-to-end encrypted chat (`chat.ciphertext`); null in a room without E2EE. */
  get chatCrypto(): Pick<E2ee, 'encryptChat' | 'decryptChat'> | null {
    return this.e2ee;
  }

  private setMediaMode(mode: MediaMode): void {
    this.mediaMode = mode;
    debug.mediaMode = mode;
  }

  /** The server decided where our media goes (docs/p2p.md). */
  private onMediaMode(mode: MediaMode, peer: string | undefined, polite: boolean): void {
    if (this.state !== 'in_call') {
      return;
    }
    if (mode === 'sfu') {
      this.closeP2p();
      this.setMediaMode('sfu');
      if (!this.publisher) {
        void this.startPublishing();
      }
      return;
    }
    if (this.publisher) {
      return; // already publishing to the SFU; the server never moves such a room back
    }
    this.setMediaMode('p2p');
    if (this.p2p && this.p2p.peer !== peer) {
      this.closeP2p();
    }
    if (peer && !this.p2p) {
      this.openP2p(peer, polite);
    }
  }

  private openP2p(peer: string, polite: boolean): void {
    const link: P2pLink = new P2pLink({
      peer,
      polite,
      iceServers: this.iceServers,
      stream: this.media?.stream ?? new MediaStream(),
      send: (data) => {
        if (this.p2p === link) {
          this.signaling?.send({ type: 'p2p_signal', to: peer, data });
        }
      },
      onRemoteStream: (stream) => {
        if (!this.participants.has(peer)) {
          this.addParticipant({ participant_id: peer, identity: '', name: t.guest, role: 'guest', audio_muted: false, video_muted: false });
        }
        this.ui.attachRemote(peer, stream);
      },
      onConnectionState: (s) => {
        // A failed P2P connection falls back to the SFU (onFailed), not to a rejoin.
        if (this.p2p === link && s !== 'failed') {
          this.onMediaState(s);
        }
      },
      onFailed: (why) => {
        if (this.p2p === link) {
          console.warn(`medrtc: peer-to-peer connection failed (${why}); asking for the server`);
          this.signaling?.send({ type: 'p2p_failed' });
        }
      },
    });
    this.p2p = link;
    debug.p2p = link.pc;
    // E2EE rooms: both DTLS fingerprints of this connection go into the security code, so a
    // server that rewrites them in the SDP it relays cannot sit in the middle unseen.
    watchP2pFingerprints(link.pc, (local, remote, conflict) => {
      if (this.p2p === link) {
        this.e2ee?.p2pFingerprints(peer, local, remote, conflict);
      }
    });
    this.mediaWatch.expect(link.pc);
    // Browser to browser: perfect negotiation (p2p.ts) sends the restart offer itself.
    this.iceRecovery.watch(link.pc, () => link.pc.restartIce());
  }

  private closeP2p(): void {
    if (this.p2p) {
      this.mediaWatch.settle(this.p2p.pc);
      this.iceRecovery.forget(this.p2p.pc);
    }
    if (this.p2p) {
      this.e2ee?.p2pFingerprints('', '', '');
    }
    this.p2p?.close();
    this.p2p = null;
    debug.p2p = null;
  }

  private async startPublishing(): Promise<void> {
    const stream = this.media?.stream ?? new MediaStream();
    const publisher = new Publisher({
      iceServers: this.iceServers,
      ...(this.e2ee ? { extraConfig: encodedStreamsConfig() } : {}),
      tracks: stream.getTracks(),
      stream,
      // The current socket, not the one we published on: a resume replaces it and the
      // connection stays. A publisher already torn down sends nothing.
      sendOffer: (sdp) => {
        if (this.publisher === publisher) {
          this.signaling?.send({ type: 'publish_offer', sdp });
        }
      },
      onConnectionState: (s) => this.onMediaState(s),
    });
    this.publisher = publisher;
    debug.publisher = publisher.pc;
    // E2EE: every sender encrypts (SFrame) before the offer goes out; P2P stays without.
    this.e2ee?.frames.attachSenders(publisher.pc);
    if (publisher.hasTracks) {
      this.mediaWatch.expect(publisher.pc);
      this.iceRecovery.watch(publisher.pc, () => this.requestIceRestart(publisher.pc));
      try {
        await publisher.start();
      } catch (err) {
        console.error('medrtc: could not create the publish offer', err);
      }
    }
  }

  private iceServers: RTCIceServer[] = [];

  private onMediaStall(): void {
    if (this.state !== 'in_call' || this.mediaMode !== 'sfu' || this.resumeToken === null) {
      return; // without resume the stall's own restart (below) is all we can do
    }
    // Both connections stall at once after a network change: one new socket for both.
    const now = performance.now();
    if (now - this.lastStallAt < STALL_RESUME_EVERY_MS) {
      return;
    }
    this.lastStallAt = now;
    this.restartAfterResume = true;
    this.signaling?.giveUp('media stalled');
  }

  /** Asks the server for an ICE restart of one of our connections to it. */
  private requestIceRestart(pc: RTCPeerConnection): void {
    const ufrag = iceUfragOf(pc.remoteDescription?.sdp);
    if (this.state !== 'in_call' || ufrag === null) {
      return; // not negotiated yet: nothing to restart
    }
    console.info('medrtc: restarting ICE on a connection to the server');
    this.signaling?.send({ type: 'restart_ice', ice_ufrag: ufrag });
    // What broke the media path (a new address) may have left the socket behind too; if
    // it is dead we resume, and onResumed asks again.
    this.signaling?.probe();
  }

  private ensureSubscriber(): Subscriber {
    if (!this.subscriber) {
      const subscriber: Subscriber = new Subscriber({
        iceServers: this.iceServers,
        ...(this.e2ee ? { extraConfig: encodedStreamsConfig() } : {}),
        sendAnswer: (sdp, version) => {
          if (this.subscriber === subscriber) {
            this.signaling?.send({ type: 'subscribe_answer', sdp, version });
          }
        },
        onTrack: (pid, _track, stream) => {
          if (!this.participants.has(pid)) {
            // A track can arrive before participant_joined; show it with a neutral name.
            this.addParticipant({ participant_id: pid, identity: '', name: t.guest, role: 'guest', audio_muted: false, video_muted: false });
          }
          this.ui.attachRemote(pid, stream);
        },
        onConnectionState: (s) => this.onMediaState(s),
      });
      this.subscriber = subscriber;
      const pc = this.subscriber.pc;
      this.e2ee?.frames.watchReceivers(pc);
      debug.subscriber = pc;
      this.mediaWatch.expect(pc);
      this.iceRecovery.watch(pc, () => this.requestIceRestart(pc));
    }
    return this.subscriber;
  }

  private addParticipant(p: Participant): void {
    if (p.participant_id === debug.participantId) {
      return;
    }
    const known = this.participants.get(p.participant_id);
    // Keep a name we already know if this one is the placeholder.
    const merged = known && p.name === t.guest && !p.identity ? { ...p, name: known.name } : { ...p };
    this.participants.set(p.participant_id, merged);
    this.ui.upsertRemote(merged);
    this.e2ee?.participant(merged);
    this.showE2ee();
    if (this.state === 'in_call') {
      this.extensions.forEach((x) => x.onParticipant?.(merged));
    }
  }

  private onMediaState(state: RTCPeerConnectionState): void {
    if (this.state !== 'in_call') {
      return;
    }
    if (state === 'disconnected') {
      this.ui.setStatus(t.mediaProblem);
    } else if (state === 'connected') {
      if (!this.mediaWatch.connecting) {
        this.ui.setStatus(this.ui.remoteCount() > 0 ? t.inCall : t.waitingForOthers);
      }
    } else if (state === 'failed') {
      // ICE-lite server: recover by joining again on a fresh socket (the server hands the
      // identity over to the new connection).
      console.warn('medrtc: a peer connection failed; reconnecting');
      // The server fails our transports too (media_failed): nothing left to resume.
      this.resumeToken = null;
      this.resumingUntil = null;
      const signaling = this.signaling;
      this.signaling = null;
      signaling?.close();
      this.teardownConnections();
      this.scheduleReconnect();
    }
  }

  private onServerError(code: string, message: string, requestType?: string): void {
    console.error(`medrtc: server error ${code}${requestType ? ` (for ${requestType})` : ''}: ${message}`);
    if (FATAL_CODES.has(code)) {
      this.fatalCode = code;
      return; // the server closes the socket; onClose shows it.
    }
    if (code === 'stale_version') {
      return; // a newer subscribe_offer is on its way
    }
    if (requestType === 'p2p_signal' || requestType === 'p2p_failed') {
      return; // raced a mode change: a media_mode is on its way
    }
    if (requestType === 'e2ee_key' || requestType === 'e2ee_public_key') {
      console.warn(`medrtc: e2ee message refused (${code}); the call goes on`);
      return; // a key for someone who just left, or a repeat: the next key change sends again
    }
    if (requestType === 'restart_ice') {
      return; // the connection was replaced meanwhile; if it stays down, `failed` rejoins
    }
    if (requestType === 'resume') {
      // resume_invalid/expired/replayed/mismatch: the server no longer holds us (or never
      // did). Join again on this socket, as without resume; `joined` drops the old connections.
      console.warn(`medrtc: resume refused (${code}); joining again`);
      this.resumeToken = null;
      this.signaling?.join();
      return;
    }
    if (this.extensions.some((x) => x.onError?.(code, requestType))) {
      return;
    }
    this.ui.setAlert(serverErrorText(code));
  }

  private onClose(info: CloseInfo): void {
    this.signaling = null;
    if (this.tryResume(info)) {
      return; // the connections stay: media flows on while the socket is replaced
    }
    this.resumingUntil = null;
    this.teardownConnections();
    if (['ended', 'left', 'error', 'denied', 'removed'].includes(this.state)) {
      return;
    }
    if (this.serverRestarting) {
      this.serverRestarting = false;
      this.scheduleReconnect();
      return;
    }
    if (
      this.fatalCode === null &&
      (info.code === CLOSE_TOO_MANY_UNJOINED || info.code === CLOSE_RATE_LIMITED || info.code === CLOSE_TRY_AGAIN_LATER)
    ) {
      // Displaced before our join by newer sockets from the same address (a new socket
      // that joins at once gets in), too many joins with our token just now, or a join
      // the server could not serve now (the backoff waits): docs/protocol.md "Sockets
      // before join", "Limits", "Error codes".
      this.scheduleReconnect();
      return;
    }
    const fatal = this.fatalCode ?? (info.code >= 4000 && info.code < 5000 ? 'unknown' : null);
    if (fatal !== null) {
      if (fatal === 'room_ended') {
        this.end('ended', t.endedTitle, serverErrorText(fatal));
      } else if (fatal === 'denied') {
        this.end('denied', t.deniedTitle, t.deniedText);
      } else if (fatal === 'removed') {
        this.end('removed', t.removedTitle, t.removedHint);
      } else if (this.joinedOnce && fatal === 'duplicate_identity') {
        this.end('error', t.leftTitle, serverErrorText(fatal), 'rejoin');
      } else {
        this.end('error', t.errorTitle, fatal === 'unknown' ? t.serverErrorUnknown : serverErrorText(fatal), 'none');
      }
      return;
    }
    this.scheduleReconnect();
  }

  /**
   * Replaces a dropped socket by one that resumes our participant. False when that cannot
   * work: no token (an older server), the server ended us (fatal, media_failed, shutdown),
   * or the grace is over.
   */
  private tryResume(info: CloseInfo): boolean {
    const resumable =
      this.resumeToken !== null &&
      (this.state === 'in_call' || this.state === 'waiting') &&
      !this.serverRestarting &&
      this.fatalCode === null &&
      (info.code < 4000 || info.code === CLOSE_RESUMING) &&
      info.code !== 1011 && // media_failed: the server took us out of the room
      info.code !== CLOSE_TRY_AGAIN_LATER && // our join was refused: there is nothing to resume
      info.code !== 1001; // going away: the server shuts down (or drains) and forgets us
    if (!resumable) {
      return false;
    }
    const now = performance.now();
    if (this.resumingUntil === null) {
      this.resumingUntil = now + RESUME_GRACE_MS;
      this.resumeAttempts = 0;
    }
    if (now >= this.resumingUntil || this.resumeAttempts >= RESUME_BACKOFF_MS.length) {
      return false;
    }
    const delay = RESUME_BACKOFF_MS[this.resumeAttempts] ?? 8000;
    this.resumeAttempts += 1;
    console.warn(`medrtc: signaling socket lost (${info.code}); resuming in ${delay} ms`);
    this.ui.setStatus(t.reconnecting);
    const token = this.resumeToken;
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = window.setTimeout(() => {
      if ((this.state === 'in_call' || this.state === 'waiting') && this.signaling === null) {
        this.connect(token);
      }
    }, delay);
    return true;
  }

  /** The server gave us our participant back on this socket (docs/protocol.md "Recovery"). */
  private onResumed(resumeToken: string, waiting: boolean, participants: Participant[]): void {
    this.resumeToken = resumeToken;
    this.resumingUntil = null;
    this.reconnects = 0;
    debug.resumes += 1;
    console.info('medrtc: signaling resumed; same participant, media untouched');
    if (waiting) {
      return; // a `waiting` with our place follows
    }
    // What changed while we were away: the held messages follow, this is the room now.
    const present = new Set(participants.map((p) => p.participant_id));
    for (const id of [...this.participants.keys()]) {
      if (!present.has(id)) {
        this.participants.delete(id);
        this.ui.removeRemote(id);
        this.e2ee?.left(id);
        this.extensions.forEach((x) => x.onParticipantLeft?.(id));
      }
    }
    for (const p of participants) {
      if (p.participant_id !== debug.participantId) {
        if (!this.participants.has(p.participant_id)) {
          // Came while we were away: ratchet before it can get our key (its held
          // participant_joined follows and ratchets once more, which costs nothing).
          this.e2ee?.joined(p.participant_id);
        }
        this.addParticipant(p);
      }
    }
    // A restart asked for on the dead socket went nowhere: ask again on this one.
    const all = this.restartAfterResume;
    this.restartAfterResume = false;
    for (const pc of [this.publisher?.pc, this.subscriber?.pc]) {
      if (pc && (all || pc.connectionState === 'disconnected') && pc.connectionState !== 'closed') {
        this.iceRecovery.restartNow(pc);
      }
    }
    // A mute toggled while the socket was down went nowhere: say it again.
    for (const kind of ['audio', 'video'] as const) {
      const muted = (kind === 'audio' ? this.audioMuted : this.videoMuted) || !hasTrack(this.media, kind);
      this.signaling?.send({ type: 'track_state', kind, muted });
    }
    this.ui.setAlert('');
    this.ui.setStatus(this.ui.remoteCount() > 0 ? t.inCall : t.waitingForOthers);
  }

  private scheduleReconnect(): void {
    if (this.reconnects >= MAX_RECONNECTS) {
      this.end('error', t.errorTitle, t.connectionLost, 'retry');
      return;
    }
    const delay = BACKOFF_MS[Math.min(this.reconnects, BACKOFF_MS.length - 1)] ?? 8000;
    this.reconnects += 1;
    this.setState('reconnecting');
    this.ui.setStatus(t.reconnecting);
    // While the notice says what to check, it is the message: a "Reconnecting…" banner
    // above it every few seconds would move its "Try again" button under the person's
    // pointer (the page reconnects by itself that often when media cannot get through).
    if (!this.ui.mediaStuckShown) {
      this.ui.setAlert(t.reconnecting);
    }
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = window.setTimeout(() => {
      if (this.state === 'reconnecting') {
        this.connect();
      }
    }, delay);
  }

  private toggle(kind: 'audio' | 'video'): void {
    if (!hasTrack(this.media, kind)) {
      return;
    }
    const muted = kind === 'audio' ? (this.audioMuted = !this.audioMuted) : (this.videoMuted = !this.videoMuted);
    setTrackEnabled(this.media, kind, !muted);
    this.ui.setLocalMuted(kind, muted);
    this.updateToggles();
    this.signaling?.send({ type: 'track_state', kind, muted });
    if (kind === 'audio') {
      this.ui.setStatus(muted ? t.youMuted : t.youUnmuted);
    } else {
      this.ui.setStatus(muted ? t.cameraStopped : t.cameraStarted);
    }
  }

  private updateToggles(): void {
    this.ui.setToggle(this.ui.muteButton, this.audioMuted, hasTrack(this.media, 'audio'));
    this.ui.setToggle(this.ui.cameraButton, this.videoMuted, hasTrack(this.media, 'video'));
  }

  leave(): void {
    const signaling = this.signaling;
    this.signaling = null;
    signaling?.leave();
    this.end('left', t.leftTitle, '', 'rejoin');
  }

  /**
   * "Try again" when media did not get through: the same recovery as a failed connection
   * (a fresh socket; the server hands our identity over to it), but now, on request.
   */
  private retryMedia(): void {
    if (this.state !== 'in_call' && this.state !== 'reconnecting') {
      return;
    }
    window.clearTimeout(this.reconnectTimer);
    this.mediaWatch.stop();
    this.ui.showMediaStuck(false);
    const signaling = this.signaling;
    this.signaling = null;
    signaling?.close();
    this.teardownConnections();
    this.join();
  }

  private async rejoin(): Promise<void> {
    if (this.state === 'joining' || this.state === 'in_call' || this.state === 'waiting') {
      return;
    }
    this.ui.setStatus(t.startingCamera);
    if (!this.media || this.media.stream.getTracks().every((track) => track.readyState === 'ended')) {
      const previous = this.media?.mode ?? 'full';
      stopMedia(this.media);
      this.media = previous === 'none' ? { stream: new MediaStream(), mode: 'none' } : await acquireFull();
    }
    setTrackEnabled(this.media, 'audio', !this.audioMuted);
    setTrackEnabled(this.media, 'video', !this.videoMuted);
    this.join();
  }

  private end(state: SessionState, title: string, text: string, action: 'rejoin' | 'retry' | 'none' = 'none'): void {
    window.clearTimeout(this.reconnectTimer);
    const signaling = this.signaling;
    this.signaling = null;
    signaling?.close();
    this.teardownConnections();
    this.ui.clearTiles();
    this.participants.clear();
    this.closeE2ee();
    stopMedia(this.media);
    this.setState(state);
    this.mediaWatch.stop();
    this.ui.setAlert('');
    this.ui.showMediaStuck(false);
    this.ui.setStatus(title);
    this.ui.showEnd(title, text, action);
    this.extensions.forEach((x) => x.onEnded?.(state));
  }

  private teardownConnections(): void {
    this.mediaWatch.reset();
    this.iceRecovery.reset();
    this.closeP2p();
    this.setMediaMode('sfu');
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
    debug.publisher = null;
    debug.subscriber = null;
  }
}
