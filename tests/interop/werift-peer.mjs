// A medrtc participant built on werift (an independent WebRTC stack): signaling over the
// WebSocket protocol of docs/protocol.md, a publisher RTCPeerConnection sending synthetic
// Opus + VP8 RTP, and a subscriber RTCPeerConnection answering the server's offers and
// counting received RTP per remote participant and kind.
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useAbsSendTime,
  useNACK,
  usePLI,
  useSdesMid,
  useSdesRTPStreamId,
  useTransportWideCC,
  useTWCC,
} from 'werift';
import { SignalingClient } from './signaling.mjs';
import { SyntheticSource, newMarkerId, parseMarker } from './synthetic-media.mjs';
import { waitFor, withTimeout } from './wait.mjs';

/**
 * werift configuration shared by publisher and subscriber connections.
 * `twcc`: video keeps the transport-wide-cc and abs-send-time extensions and the
 * transport-cc feedback type the server offers subscribers; werift's receiver then sends
 * transport-cc feedback (its ReceiverTWCC runs only when the codec has transport-cc).
 * Without it werift's answer drops them, and the server gets no feedback.
 */
export function peerConfig({ simulcast = false, twcc = false } = {}) {
  const videoExtensions = [useSdesMid()];
  if (simulcast) {
    videoExtensions.push(useSdesRTPStreamId()); // RFC 8852 RID, for a simulcast publisher
  }
  if (twcc) {
    videoExtensions.push(useTransportWideCC(), useAbsSendTime());
  }
  return {
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          rtcpFeedback: twcc ? [useNACK(), usePLI(), useTWCC()] : [useNACK(), usePLI()],
        }),
      ],
    },
    headerExtensions: { audio: [useSdesMid()], video: videoExtensions },
    bundlePolicy: 'max-bundle',
    iceServers: [], // no STUN: gathering must not wait on an unreachable server
    iceUseIpv6: false,
    // werift skips loopback when gathering; the test server's media candidate is 127.0.0.1
    iceAdditionalHostAddresses: ['127.0.0.1'],
  };
}

/** setLocalDescription, then wait for host candidates so the SDP is complete. */
export async function setLocalAndGather(pc, description, timeout = 5000) {
  await pc.setLocalDescription(description);
  await waitFor(() => pc.iceGatheringState === 'complete', { timeout, message: 'ICE gathering complete' });
  return pc.localDescription.sdp;
}

/**
 * Creates a publisher connection with sendonly audio and/or video transceivers fed by
 * synthetic sources (not started). Returns {pc, sources}.
 * `simulcastRids`: video is offered as RFC 8853 simulcast with these RIDs
 * (`a=simulcast:send q;h;f`). werift 0.25 sends one encoding only: all its video goes
 * on one SSRC tagged with the first RID (its RtpSender: "sender simulcast unsupported").
 */
export function createPublisher({ audio = true, video = true, markerId, simulcastRids = null }) {
  const pc = new RTCPeerConnection(peerConfig({ simulcast: Boolean(simulcastRids) }));
  const sources = {};
  for (const [kind, wanted] of [['audio', audio], ['video', video]]) {
    if (!wanted) {
      continue;
    }
    const track = new MediaStreamTrack({ kind });
    const options = { direction: 'sendonly' };
    if (kind === 'video' && simulcastRids) {
      options.sendEncodings = simulcastRids.map((rid) => ({ rid }));
    }
    const transceiver = pc.addTransceiver(track, options);
    const source = new SyntheticSource(track, markerId);
    if (kind === 'video') {
      transceiver.sender.onRtcp.subscribe((rtcp) => {
        // answer a PLI (RFC 4585 §6.3.1, PSFB fmt 1) with a keyframe
        if (rtcp.type === 206 && rtcp.feedback?.count === 1) {
          source.requestKeyframe();
        }
      });
    }
    sources[kind] = source;
  }
  return { pc, sources };
}

/** Media port and address of the host candidate in an SDP (the server's, in its answers). */
export function candidateFromSdp(sdp) {
  const line = sdp.split(/\r?\n/).find((l) => l.startsWith('a=candidate:'));
  if (!line) {
    return null;
  }
  const f = line.slice('a=candidate:'.length).split(' ');
  return { foundation: f[0], component: Number(f[1]), transport: f[2], priority: Number(f[3]), address: f[4], port: Number(f[5]), type: f[7] };
}

/** mid → {participantId, trackId, kind, port} for every m-line of an SDP. */
export function mediaSectionsFromSdp(sdp) {
  const sections = [];
  let current = null;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      const [kind, port] = line.slice(2).split(' ');
      current = { kind, port: Number(port), mid: null, participantId: null, trackId: null, direction: null };
      sections.push(current);
    } else if (current && line.startsWith('a=mid:')) {
      current.mid = line.slice('a=mid:'.length).trim();
    } else if (current && line.startsWith('a=msid:')) {
      const [participantId, trackId] = line.slice('a=msid:'.length).trim().split(' ');
      current.participantId = participantId;
      current.trackId = trackId;
    } else if (current && /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line.trim())) {
      current.direction = line.trim().slice(2);
    }
  }
  return sections;
}

/**
 * Receives the server's subscribe offers on one werift connection and counts RTP per
 * remote participant and kind, with the markers found in the payloads.
 */
export class Subscriber {
  constructor(signaling, log, { twcc = false } = {}) {
    this.signaling = signaling;
    this.log = log;
    this.twcc = twcc;
    this.pc = null;
    this.midToSection = new Map();
    this.received = new Map(); // participantId → {audio: stats, video: stats}
    this.unattributed = 0;
    this.offers = [];
    this.answeredVersions = [];
    this.chain = Promise.resolve();
    this.errors = [];
    this.tracksSeen = 0;
  }

  stats(participantId, kind) {
    let byKind = this.received.get(participantId);
    if (!byKind) {
      byKind = {};
      this.received.set(participantId, byKind);
    }
    if (!byKind[kind]) {
      // ssrcs and seqJumps: one continuous stream per m-line (steps other than +1, after
      // the first packet; the SFU rewrites simulcast layers into one sequence space).
      byKind[kind] = { packets: 0, bytes: 0, markers: new Map(), wrongKind: 0, unmarked: 0, lastAt: 0, ssrcs: new Set(), lastSeq: null, seqJumps: 0 };
    }
    return byKind[kind];
  }

  handleOffer(msg) {
    this.offers.push(msg);
    this.chain = this.chain
      .then(() => this.answer(msg))
      .catch((err) => {
        err.version = msg.version;
        err.sdp = msg.sdp;
        this.errors.push(err);
        this.log(`subscribe_offer v${msg.version} failed: ${err.stack || err}`);
      });
  }

  ensurePc() {
    if (this.pc) {
      return this.pc;
    }
    const pc = new RTCPeerConnection(peerConfig({ twcc: this.twcc }));
    pc.onTrack.subscribe((track) => {
      this.tracksSeen += 1;
      const transceiver = pc.getTransceivers().find((t) => t.receiver.track === track || t.receiver.tracks?.includes(track));
      track.onReceiveRtp.subscribe((rtp) => this.count(transceiver, track, rtp));
    });
    this.pc = pc;
    return pc;
  }

  count(transceiver, track, rtp) {
    const section = transceiver ? this.midToSection.get(transceiver.mid) : undefined;
    if (!section || !section.participantId) {
      this.unattributed += 1;
      return;
    }
    const kind = section.kind || track.kind;
    const s = this.stats(section.participantId, kind);
    s.packets += 1;
    s.bytes += rtp.payload.length;
    s.lastAt = Date.now();
    s.ssrcs.add(rtp.header.ssrc);
    if (s.lastSeq !== null && rtp.header.sequenceNumber !== ((s.lastSeq + 1) & 0xffff)) {
      s.seqJumps += 1;
    }
    s.lastSeq = rtp.header.sequenceNumber;
    const marker = parseMarker(rtp.payload);
    if (!marker) {
      s.unmarked += 1;
      return;
    }
    if (marker.kind !== kind) {
      s.wrongKind += 1;
    }
    s.markers.set(marker.markerId, (s.markers.get(marker.markerId) || 0) + 1);
  }

  async answer(msg) {
    const pc = this.ensurePc();
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    for (const section of mediaSectionsFromSdp(msg.sdp)) {
      if (section.mid !== null) {
        this.midToSection.set(section.mid, section);
      }
    }
    const answer = await pc.createAnswer();
    const sdp = await setLocalAndGather(pc, answer);
    if (!this.signaling.isOpen) {
      return;
    }
    this.signaling.send({ type: 'subscribe_answer', sdp, version: msg.version });
    this.answeredVersions.push(msg.version);
  }

  async close() {
    if (this.pc) {
      await this.pc.close().catch(() => {});
    }
  }
}

/**
 * Joins a room as a werift participant.
 *
 * publish: {audio, video, simulcastRids} to publish (audio and video by default), or
 * false to publish nothing. `twcc`: the subscriber connection negotiates transport-cc and
 * sends feedback (peerConfig).
 * Resolves once `joined` arrived and (when publishing) the publish answer was applied;
 * media flows once ICE/DTLS complete — wait on the counters.
 */
export async function joinRoom({ wsUrl, token, publish = { audio: true, video: true }, markerId = newMarkerId(), timeout = 10000, verbose = false, twcc = false }) {
  const signaling = await SignalingClient.connect(wsUrl, { timeout });
  const log = (text) => {
    if (verbose) {
      console.error(`[peer ${markerId}] ${text}`);
    }
  };
  const subscriber = new Subscriber(signaling, log, { twcc });
  signaling.onMessage((msg) => {
    if (msg.type === 'subscribe_offer') {
      subscriber.handleOffer(msg);
    }
  });
  signaling.send({ type: 'join', token });
  const joined = await signaling.next((m) => m.type === 'joined' || m.type === 'error', { timeout });
  if (joined.type === 'error') {
    signaling.terminate();
    const err = new Error(`join refused: ${joined.code} ${joined.message ?? ''}`);
    err.code = joined.code;
    throw err;
  }
  const peer = new WeriftPeer({ signaling, subscriber, joined, markerId, log });
  // the server drops a socket silent for 30 s; clients ping every 10 s (docs/protocol.md)
  peer.pingTimer = setInterval(() => {
    if (signaling.isOpen) {
      signaling.send({ type: 'ping' });
    }
  }, 10000);
  signaling.closed.then(() => clearInterval(peer.pingTimer));
  if (publish) {
    try {
      await peer.publish(publish, timeout);
    } catch (err) {
      await peer.kill();
      throw err;
    }
  }
  return peer;
}

export class WeriftPeer {
  constructor({ signaling, subscriber, joined, markerId, log }) {
    this.signaling = signaling;
    this.subscriber = subscriber;
    this.joined = joined;
    this.participantId = joined.participant_id;
    this.markerId = markerId;
    this.log = log;
    this.publisher = null;
    this.publishAnswer = null;
    this.closedByUs = false;
  }

  /** `editOffer(sdp)`: what is sent as the publish offer instead of werift's own SDP (bad-input tests). */
  async publish({ audio = true, video = true, simulcastRids = null, editOffer = (sdp) => sdp } = {}, timeout = 10000) {
    this.publisher = createPublisher({ audio, video, simulcastRids, markerId: this.markerId });
    const { pc } = this.publisher;
    const offer = await pc.createOffer();
    const sdp = editOffer(await setLocalAndGather(pc, offer));
    const from = this.signaling.messages.length;
    this.signaling.send({ type: 'publish_offer', sdp });
    const reply = await this.signaling.next((m) => m.type === 'publish_answer' || (m.type === 'error' && m.request_type !== 'subscribe_answer'), { timeout, from });
    if (reply.type === 'error') {
      throw new Error(`publish_offer refused: ${reply.code} ${reply.message ?? ''}`);
    }
    this.publishAnswer = reply.sdp;
    await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
    for (const source of Object.values(this.publisher.sources)) {
      source.start();
    }
  }

  /** The server's media address from its publish answer candidate. */
  get mediaAddress() {
    return this.publishAnswer ? candidateFromSdp(this.publishAnswer) : null;
  }

  get messages() {
    return this.signaling.messages;
  }

  /** Received-RTP statistics for one remote participant and kind (zeros if none). */
  receivedFrom(participantId, kind) {
    const s = this.subscriber.received.get(participantId)?.[kind];
    return s ?? { packets: 0, bytes: 0, markers: new Map(), wrongKind: 0, unmarked: 0, lastAt: 0, ssrcs: new Set(), lastSeq: null, seqJumps: 0 };
  }

  packetsFrom(participantId, kind) {
    return this.receivedFrom(participantId, kind).packets;
  }

  /** Participant ids this peer has received any RTP from. */
  get senders() {
    return [...this.subscriber.received.keys()];
  }

  sentPackets(kind) {
    return this.publisher?.sources[kind]?.packetsSent ?? 0;
  }

  /** A short description of the counters, for assertion messages. */
  describe() {
    const parts = [];
    for (const [pid, byKind] of this.subscriber.received) {
      for (const [kind, s] of Object.entries(byKind)) {
        parts.push(`${pid}/${kind}=${s.packets}`);
      }
    }
    const pubState = this.publisher ? `pub ice=${this.publisher.pc.iceConnectionState} conn=${this.publisher.pc.connectionState}` : 'no pub';
    const subState = this.subscriber.pc ? `sub ice=${this.subscriber.pc.iceConnectionState} conn=${this.subscriber.pc.connectionState}` : 'no sub';
    const tracks = this.subscriber.pc ? ` transceivers=${this.subscriber.pc.getTransceivers().map((t) => `${t.mid}:${t.kind}:${t.currentDirection}`).join(',')} ontrack=${this.subscriber.tracksSeen}` : '';
    return `${this.participantId} [${pubState}; ${subState}${tracks}; offers=${this.subscriber.offers.length} answered=${this.subscriber.answeredVersions.join(',')}; unattributed=${this.subscriber.unattributed}; sub errors=${this.subscriber.errors.map((e) => e.message).join(' | ') || 'none'}; rx ${parts.join(' ') || 'none'}; msgs ${this.signaling.summary()}]`;
  }

  stopMedia() {
    for (const source of Object.values(this.publisher?.sources ?? {})) {
      source.stop();
    }
  }

  async closePcs() {
    clearInterval(this.pingTimer);
    this.stopMedia();
    const closing = [this.subscriber.close()];
    if (this.publisher) {
      closing.push(this.publisher.pc.close().catch(() => {}));
    }
    await withTimeout(Promise.allSettled(closing), 5000, 'peer connections close').catch(() => {});
  }

  /** Leaves politely: `leave`, then wait for the server to close the socket. */
  async close() {
    this.closedByUs = true;
    if (this.signaling.isOpen) {
      this.signaling.send({ type: 'leave' });
      // the server answers `leave` by closing with 1000
      this.leaveClose = await this.signaling.waitClosed(3000).catch(() => {
        this.signaling.terminate();
        return null;
      });
    }
    await this.closePcs();
  }

  /** Vanishes: the TCP connection is destroyed without a close frame and media stops. */
  async kill() {
    this.closedByUs = true;
    this.signaling.terminate();
    await this.closePcs();
  }
}
