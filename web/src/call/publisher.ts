// The publisher connection: we offer sendonly audio/video with the local tracks, the
// server (ICE-lite, DTLS passive) answers. No trickle: the server learns our address from
// our connectivity checks, so we just wait for ICE gathering before sending the offer.
import { waitForIceGathering, iceTransportPolicy } from './ice';

/**
 * Simulcast (RFC 8853): the camera goes out as three VP8/H.264 encodings, lowest first,
 * named by RID; the SFU forwards one per subscriber and switches between them as the
 * subscriber's link allows (docs/architecture.md "Simulcast"). The order matters: the
 * server takes the first RID as its lowest layer. A browser whose camera is too small
 * for three layers sends fewer; one that cannot do simulcast sends one stream, which the
 * server forwards as before.
 */
export const SIMULCAST_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_700_000 },
];

declare global {
  interface Window {
    /** Tests: publish one video encoding, as a client without simulcast does. */
    __medrtcSingleLayer?: boolean;
  }
}

export interface PublisherOptions {
  iceServers: RTCIceServer[];
  /** More RTCConfiguration (E2EE on a Chromium without RTCRtpScriptTransform: encoded streams). */
  extraConfig?: Record<string, unknown>;
  tracks: MediaStreamTrack[];
  stream: MediaStream;
  sendOffer(sdp: string): void;
  onConnectionState(state: RTCPeerConnectionState): void;
}

export class Publisher {
  readonly pc: RTCPeerConnection;
  private pendingAnswer = false;
  // An ICE restart asked for while an offer was out: made once its answer is in.
  private restartWanted = false;

  constructor(private readonly opts: PublisherOptions) {
    this.pc = new RTCPeerConnection({
      iceServers: opts.iceServers,
      iceTransportPolicy: iceTransportPolicy(),
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      ...opts.extraConfig,
    } as RTCConfiguration);
    this.pc.addEventListener('connectionstatechange', () => opts.onConnectionState(this.pc.connectionState));
    // Audio first, then video; video as simulcast layers.
    for (const kind of ['audio', 'video'] as const) {
      const track = opts.tracks.find((t) => t.kind === kind);
      if (!track) {
        continue;
      }
      const init: RTCRtpTransceiverInit = { direction: 'sendonly', streams: [opts.stream] };
      if (kind === 'video' && !window.__medrtcSingleLayer) {
        init.sendEncodings = SIMULCAST_ENCODINGS.map((e) => ({ ...e }));
      }
      this.pc.addTransceiver(track, init);
    }
  }

  get hasTracks(): boolean {
    return this.pc.getTransceivers().length > 0;
  }

  async start(): Promise<void> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    await waitForIceGathering(this.pc);
    const sdp = this.pc.localDescription?.sdp ?? offer.sdp ?? '';
    this.pendingAnswer = true;
    this.opts.sendOffer(sdp);
  }

  async applyAnswer(sdp: string): Promise<void> {
    if (!this.pendingAnswer) {
      console.warn('medrtc: publish_answer without a pending offer; ignored');
      return;
    }
    this.pendingAnswer = false;
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    if (this.restartWanted) {
      this.restartWanted = false;
      await this.restartIce();
    }
  }

  /**
   * The server restarted ICE on this connection (`ice_restarted`): offer again with new
   * ICE credentials of ours; the server's `publish_answer` carries its new ones. Tracks,
   * DTLS and SRTP stay as they are.
   */
  async restartIce(): Promise<void> {
    if (this.pendingAnswer) {
      this.restartWanted = true;
      return;
    }
    const offer = await this.pc.createOffer({ iceRestart: true });
    await this.pc.setLocalDescription(offer);
    await waitForIceGathering(this.pc);
    this.pendingAnswer = true;
    this.opts.sendOffer(this.pc.localDescription?.sdp ?? offer.sdp ?? '');
  }

  close(): void {
    this.pc.close();
  }
}
