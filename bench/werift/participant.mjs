// The media half of one werift participant, server-neutral like loadgen's ParticipantMedia:
// a publisher RTCPeerConnection (sendonly Opus + VP8, fed by a Source once connected) and a
// subscriber RTCPeerConnection answering the server's offers and counting what arrives.
// medrtc.mjs and janus.mjs carry the SDP.
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useNACK,
  usePLI,
  useSdesMid,
} from 'werift';
import { ReceiveStats, Source } from './media.mjs';

const GATHER_TIMEOUT_MS = 5000;

function peerConfig(bindIp) {
  return {
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [useNACK(), usePLI()] })],
    },
    headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
    bundlePolicy: 'max-bundle',
    iceServers: [], // no STUN: everything is on this host
    iceUseIpv6: false,
    // One host candidate on the media address, as loadgen's --bind-ip: werift skips
    // loopback when gathering, so 127.0.0.1 (the tests' server address) is added by hand.
    iceInterfaceAddresses: { udp4: bindIp },
    iceAdditionalHostAddresses: [bindIp],
  };
}

async function localSdp(pc, description) {
  await pc.setLocalDescription(description);
  const deadline = Date.now() + GATHER_TIMEOUT_MS;
  while (pc.iceGatheringState !== 'complete') {
    if (Date.now() > deadline) {
      throw new Error('ICE gathering did not complete');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return pc.localDescription.sdp;
}

export class Participant {
  constructor({ name, bindIp, pacer, videoBitrateBps, maxPayload }) {
    this.name = name;
    this.bindIp = bindIp;
    this.pacer = pacer;
    this.failure = '';
    // Set when the run ends: what the servers do while everyone leaves (Janus re-offers a
    // subscriber whose feed went away) is not a failure of the measured window.
    this.leaving = false;
    this.received = new ReceiveStats();
    this.joinStartedAt = null;
    const audioTrack = new MediaStreamTrack({ kind: 'audio' });
    const videoTrack = new MediaStreamTrack({ kind: 'video' });
    this.source = new Source({ audioTrack, videoTrack, videoBitrateBps, maxPayload });
    this.publisher = new RTCPeerConnection(peerConfig(bindIp));
    this.publisher.addTransceiver(audioTrack, { direction: 'sendonly' });
    const video = this.publisher.addTransceiver(videoTrack, { direction: 'sendonly' });
    video.sender.onRtcp.subscribe((rtcp) => {
      if (rtcp.type === 206 && rtcp.feedback?.count === 1) { // PLI (RFC 4585 §6.3.1)
        this.source.keyframeWanted = true;
      }
    });
    this.publisher.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        this.pacer.add(this.source);
      } else if (state === 'failed') {
        this.fail('publisher connection failed');
      }
    });
    this.subscriber = null;
    this.answers = Promise.resolve();
  }

  /** Records the first failure; none counts once the run tears down (see leaving). */
  fail(reason) {
    if (!this.leaving) {
      this.failure ||= reason;
    }
  }

  markJoinStart() {
    this.joinStartedAt = performance.now();
  }

  /** ms from the start of the join to the first remote RTP packet, or null. */
  get joinMs() {
    return this.joinStartedAt !== null && this.received.firstAt !== null ? this.received.firstAt - this.joinStartedAt : null;
  }

  async publishOffer() {
    return localSdp(this.publisher, await this.publisher.createOffer());
  }

  async applyPublishAnswer(sdp) {
    await this.publisher.setRemoteDescription({ type: 'answer', sdp });
  }

  /** Answers the server's (re-)offers one after the other. */
  answerSubscribeOffer(sdp) {
    const answer = this.answers.then(() => this.answer(sdp));
    this.answers = answer.catch(() => {});
    return answer;
  }

  async answer(sdp) {
    if (!this.subscriber) {
      this.subscriber = new RTCPeerConnection(peerConfig(this.bindIp));
      this.subscriber.onTrack.subscribe((track) => {
        track.onReceiveRtp.subscribe((rtp) => this.received.count(track.kind, rtp));
      });
      this.subscriber.connectionStateChange.subscribe((state) => {
        if (state === 'failed') {
          this.fail('subscriber connection failed');
        }
      });
    }
    await this.subscriber.setRemoteDescription({ type: 'offer', sdp });
    return localSdp(this.subscriber, await this.subscriber.createAnswer());
  }

  async close() {
    await Promise.allSettled([this.publisher.close(), this.subscriber?.close()].filter(Boolean));
  }
}
