// The subscriber connection: the server offers one m-line per remote track and re-offers
// when tracks come or go; we answer every offer, in order, with the same version. Each
// m-line carries `a=msid:<participant_id> <track_id>`, so `event.streams[0].id` is the
// participant the track belongs to.
import { waitForIceGathering, iceTransportPolicy } from './ice';

export interface SubscriberOptions {
  iceServers: RTCIceServer[];
  /** More RTCConfiguration (E2EE on a Chromium without RTCRtpScriptTransform: encoded streams). */
  extraConfig?: Record<string, unknown>;
  sendAnswer(sdp: string, version: number): void;
  onTrack(participantId: string, track: MediaStreamTrack, stream: MediaStream): void;
  onConnectionState(state: RTCPeerConnectionState): void;
}

interface Offer {
  sdp: string;
  version: number;
}

export class Subscriber {
  readonly pc: RTCPeerConnection;
  private queue: Offer[] = [];
  private busy = false;
  private closed = false;

  constructor(private readonly opts: SubscriberOptions) {
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers,
      iceTransportPolicy: iceTransportPolicy(),
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      ...opts.extraConfig,
    } as RTCConfiguration);
    this.pc.addEventListener('connectionstatechange', () => opts.onConnectionState(this.pc.connectionState));
    this.pc.addEventListener('track', (ev: RTCTrackEvent) => {
      const stream = ev.streams[0];
      if (!stream) {
        console.warn('medrtc: remote track without a stream (no a=msid); ignored');
        return;
      }
      opts.onTrack(stream.id, ev.track, stream);
    });
  }

  /** Queues an offer; offers are answered one at a time, oldest first. */
  handleOffer(sdp: string, version: number): void {
    this.queue.push({ sdp, version });
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.busy) {
      return;
    }
    this.busy = true;
    try {
      for (let offer = this.queue.shift(); offer && !this.closed; offer = this.queue.shift()) {
        try {
          await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
          const answer = await this.pc.createAnswer();
          await this.pc.setLocalDescription(answer);
          await waitForIceGathering(this.pc);
          if (this.closed) {
            return;
          }
          this.opts.sendAnswer(this.pc.localDescription?.sdp ?? answer.sdp ?? '', offer.version);
        } catch (err) {
          console.error(`medrtc: could not answer subscribe_offer version ${offer.version}`, err);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.pc.close();
  }
}
