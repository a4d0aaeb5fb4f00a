// The direct connection of a peer-to-peer 1:1 call (docs/p2p.md): our camera and
// microphone go straight to the other browser, DTLS-SRTP end to end, and the server only
// relays the offers, answers and candidates (p2p_signal). The impolite side makes the
// first offer (audio and video, recvonly where it has no device); the polite side adds
// its tracks only when it answers that offer, so the first exchange never meets glare.
// Later renegotiation uses "perfect negotiation" (W3C webrtc-pc §10.7): the impolite side
// ignores a colliding offer, the polite side rolls its own back.
import { iceTransportPolicy } from './ice';
import type { P2pSignalData } from './protocol';

/** How long a new connection may take to connect before the call falls back to the SFU. */
export const P2P_CONNECT_TIMEOUT_MS = 10_000;

export interface P2pOptions {
  peer: string;
  polite: boolean;
  iceServers: RTCIceServer[];
  stream: MediaStream;
  send(data: P2pSignalData): void;
  /** The peer's media; the same stream object every time (tracks are added to it). */
  onRemoteStream(stream: MediaStream): void;
  onConnectionState(state: RTCPeerConnectionState): void;
  /** Did not connect in time, or failed: the caller tells the server (p2p_failed). */
  onFailed(why: string): void;
}

export class P2pLink {
  readonly pc: RTCPeerConnection;
  private readonly remote = new MediaStream();
  private makingOffer = false;
  private ignoreOffer = false;
  private closed = false;
  private failed = false;
  private readonly timer: number;

  constructor(private readonly opts: P2pOptions) {
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers,
      iceTransportPolicy: iceTransportPolicy(),
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    this.pc.addEventListener('negotiationneeded', () => void this.offer());
    this.pc.addEventListener('icecandidate', (ev: RTCPeerConnectionIceEvent) => {
      // The end-of-candidates null is not sent: the other side needs nothing for it.
      if (ev.candidate && !this.closed) {
        this.opts.send({ candidate: ev.candidate.toJSON() });
      }
    });
    this.pc.addEventListener('track', (ev: RTCTrackEvent) => {
      this.remote.addTrack(ev.track);
      this.opts.onRemoteStream(this.remote);
    });
    this.pc.addEventListener('connectionstatechange', () => {
      const state = this.pc.connectionState;
      this.opts.onConnectionState(state);
      if (state === 'connected') {
        window.clearTimeout(this.timer);
      } else if (state === 'failed') {
        this.fail('connection failed');
      }
    });
    if (!opts.polite) {
      // Two simultaneous first offers made Chrome miss the connection now and then (stale
      // candidates of a rolled-back offer); one offerer avoids that.
      this.addLocalTracks();
      for (const kind of ['audio', 'video'] as const) {
        if (!opts.stream.getTracks().some((t) => t.kind === kind)) {
          this.pc.addTransceiver(kind, { direction: 'recvonly' });
        }
      }
    }
    this.timer = window.setTimeout(() => this.fail('no connection within 10 s'), P2P_CONNECT_TIMEOUT_MS);
  }

  get peer(): string {
    return this.opts.peer;
  }

  /** One p2p_signal from the peer, in the order the server relayed them. */
  async handle(data: P2pSignalData): Promise<void> {
    if (this.closed) {
      return;
    }
    try {
      if (data.sdp) {
        const collision = data.sdp.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
        this.ignoreOffer = !this.opts.polite && collision;
        if (this.ignoreOffer) {
          return;
        }
        await this.pc.setRemoteDescription(data.sdp);
        if (data.sdp.type === 'offer' && !this.tracksAdded) {
          // addTrack reuses the transceivers the offer just created (webrtc-pc §5.1 addTrack).
          this.addLocalTracks();
        }
        if (data.sdp.type === 'offer') {
          await this.pc.setLocalDescription();
          this.sendDescription();
        }
      } else if (data.candidate) {
        try {
          await this.pc.addIceCandidate(data.candidate);
        } catch (err) {
          // A candidate of an offer we ignored has no m-line to go to here.
          if (!this.ignoreOffer) {
            throw err;
          }
        }
      }
    } catch (err) {
      if (!this.closed) {
        console.error('medrtc: could not apply the peer-to-peer signal', err);
      }
    }
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.timer);
    this.pc.close();
  }

  private tracksAdded = false;

  private addLocalTracks(): void {
    this.tracksAdded = true;
    for (const track of this.opts.stream.getTracks()) {
      this.pc.addTrack(track, this.opts.stream);
    }
  }

  private async offer(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendDescription();
    } catch (err) {
      if (!this.closed) {
        console.error('medrtc: could not create the peer-to-peer offer', err);
      }
    } finally {
      this.makingOffer = false;
    }
  }

  private sendDescription(): void {
    const d = this.pc.localDescription;
    if (d && !this.closed) {
      this.opts.send({ sdp: { type: d.type, sdp: d.sdp } });
    }
  }

  private fail(why: string): void {
    if (this.closed || this.failed) {
      return;
    }
    this.failed = true;
    window.clearTimeout(this.timer);
    this.opts.onFailed(why);
  }
}
