#include "client/peer_connection.hpp"

#include <array>
#include <cstring>
#include <chrono>

#include "client/synthetic_media.hpp"
#include "common/random.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_reports.hpp"
#include "rtp/rtcp_writer.hpp"
#include "rtp/vp8.hpp"
#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"
#include "sdp/server_capabilities.hpp"

namespace medrtc::client {

namespace {

constexpr size_t kRtcpBufferSize = 1200;
constexpr size_t kMaxReportBlocks = 31;  // RC is 5 bits (RFC 3550 §6.4.2)

uint32_t nonZeroRandom() {
  uint32_t v = 0;
  while (v == 0) {
    v = randomU32();
  }
  return v;
}

// RFC 3550 §4: NTP timestamp, 32.32 fixed point seconds since 1900-01-01.
uint64_t ntpNow(const Clock& clock) {
  constexpr uint64_t kUnixToNtpSeconds = 2'208'988'800ULL;
  const auto us = std::chrono::duration_cast<Micros>(clock.wallNow().time_since_epoch()).count();
  const uint64_t seconds = static_cast<uint64_t>(us / 1'000'000) + kUnixToNtpSeconds;
  const uint64_t fraction = (static_cast<uint64_t>(us % 1'000'000) << 32) / 1'000'000;
  return (seconds << 32) | fraction;
}

}  // namespace

Result<std::unique_ptr<PeerConnection>, ClientError> PeerConnection::create(net::EventLoop& loop,
                                                                            PeerConnectionConfig config,
                                                                            Listener* listener) {
  if (!config.identity) {
    config.identity = ClientIdentity::generate();
  }
  std::unique_ptr<PeerConnection> pc(new PeerConnection(loop, std::move(config), listener));
  const SocketAddress bindAddress = pc->config_.bindAddress.value_or(*SocketAddress::fromIp("127.0.0.1", 0));
  auto transport = ClientTransport::create(loop, bindAddress, pc->config_.identity,
                                           static_cast<ClientTransport::Listener&>(*pc));
  if (!transport) {
    return fail(ClientError::kSocketFailed);
  }
  pc->transport_ = std::move(*transport);
  if (pc->config_.kernelArrivalTimes) {
    pc->transport_->useKernelArrivalTimes();  // refused: loop times, as before
  }
  return pc;
}

PeerConnection::PeerConnection(net::EventLoop& loop, PeerConnectionConfig config, Listener* listener)
    : loop_(loop), config_(std::move(config)), listener_(listener) {
  cname_ = config_.cname.empty() ? randomHex(8) : config_.cname;
  sessionId_ = std::to_string(randomU64() >> 2);  // RFC 8866 §5.2: fits in 63 bits
  receiverSsrc_ = nonZeroRandom();
}

PeerConnection::~PeerConnection() {
  if (reportTimer_) {
    loop_.cancelTimer(*reportTimer_);
  }
}

LocalIce PeerConnection::localIce() const {
  return LocalIce{transport_->localUfrag(), transport_->localPassword(), transport_->localFingerprint(),
                  transport_->localAddress()};
}

std::string PeerConnection::createPublishOffer(const PublishOptions& options) {
  if (role_ == Role::kSubscriber) {
    return {};
  }
  role_ = Role::kPublisher;
  if (!published_) {
    published_ = options;
    audioSsrc_ = options.audio ? (options.audioSsrc != 0 ? options.audioSsrc : nonZeroRandom()) : 0;
    videoSsrc_ = options.video ? (options.videoSsrc != 0 ? options.videoSsrc : nonZeroRandom()) : 0;
    if (published_->streamId.empty()) {
      published_->streamId = randomHex(8);
    }
  }
  PublishOfferParams params;
  params.audio = published_->audio;
  params.video = published_->video;
  params.audioSsrc = audioSsrc_;
  params.videoSsrc = videoSsrc_;
  params.cname = cname_;
  params.streamId = published_->streamId;
  params.videoRids = config_.media.videoRids;
  params.sessionId = sessionId_;
  params.sessionVersion = ++sessionVersion_;
  return sdp::serialize(buildPublishOffer(localIce(), params));
}

Result<Ok, ClientError> PeerConnection::applyAnswer(std::string_view answerSdp) {
  if (role_ != Role::kPublisher || closed_) {
    return fail(ClientError::kWrongState);
  }
  auto answer = sdp::parse(answerSdp);
  if (!answer) {
    return fail(ClientError::kSdpParseFailed);
  }
  auto remote = readRemoteTransport(*answer, /*remoteIsOffer=*/false);
  if (!remote) {
    return fail(remote.error());
  }
  if (!sender_) {
    MediaSenderConfig media = config_.media;
    media.audioSsrc = 0;
    media.videoSsrc = 0;
    media.audioMid = kAudioMid;
    media.videoMid = kVideoMid;
    for (const sdp::MediaSection& m : answer->media) {
      if (m.rejected() || m.codecs.empty()) {
        continue;
      }
      const bool audio = m.mid == kAudioMid && audioSsrc_ != 0;
      const bool video = m.mid == kVideoMid && videoSsrc_ != 0;
      if (!audio && !video) {
        continue;
      }
      // RFC 3264 §6.1: the answer lists the codecs it accepts, under our numbers.
      const auto pt = static_cast<uint8_t>(m.codecs.front().payloadType);
      if (audio) {
        media.audioSsrc = audioSsrc_;
        media.audioPayloadType = pt;
      } else {
        media.videoSsrc = videoSsrc_;
        media.videoPayloadType = pt;
        // Simulcast only when the server accepted it (its answer mirrors a=simulcast).
        media.ridExtensionId = m.simulcast ? extensionId(m, sdp::kExtRtpStreamId) : 0;
        if (media.ridExtensionId == 0) {
          media.videoRids.clear();
        }
      }
      // Bundled m-lines share one id space; the last accepted section's ids are used.
      media.midExtensionId = extensionId(m, sdp::kExtSdesMid);
      media.absSendTimeExtensionId = extensionId(m, sdp::kExtAbsSendTime);
      media.transportCcExtensionId = extensionId(m, sdp::kExtTransportWideCc);
    }
    if (media.audioSsrc == 0 && media.videoSsrc == 0) {
      return fail(ClientError::kNoMedia);
    }
    sender_ = std::make_unique<MediaSender>(media, [this](ByteView packet) { transport_->sendRtp(packet); });
  }
  addPayloadTypes(*answer, payloadTypes_);
  transport_->start(*remote);
  return Ok{};
}

Result<std::string, ClientError> PeerConnection::answerOffer(std::string_view offerSdp) {
  if (role_ == Role::kPublisher || closed_) {
    return fail(ClientError::kWrongState);
  }
  auto offer = sdp::parse(offerSdp);
  if (!offer) {
    return fail(ClientError::kSdpParseFailed);
  }
  std::optional<RemoteTransport> remote;
  if (!transport_->started()) {
    auto r = readRemoteTransport(*offer, /*remoteIsOffer=*/true);
    if (!r) {
      return fail(r.error());
    }
    remote = std::move(*r);
  }
  role_ = Role::kSubscriber;
  addPayloadTypes(*offer, payloadTypes_);
  std::string answer = sdp::serialize(buildSubscriberAnswer(*offer, localIce(), sessionId_, ++sessionVersion_, config_.acceptRtx,
                                                            config_.noDecoderFor));
  if (remote) {
    transport_->start(*remote);
  }
  return answer;
}

size_t PeerConnection::sendAudioFrame(Micros now) {
  if (!sender_ || !connected()) {
    return 0;
  }
  const size_t n = sender_->sendAudioFrame(now);
  transport_->flush();
  return n;
}

size_t PeerConnection::sendVideoFrame(Micros now, bool keyframe, size_t frameBytes) {
  if (!sender_ || !connected()) {
    return 0;
  }
  const size_t n = sender_->sendVideoFrame(now, keyframe, frameBytes);
  transport_->flush();
  return n;
}

uint32_t PeerConnection::rtcpSenderSsrc() const {
  if (videoSsrc_ != 0) {
    return videoSsrc_;
  }
  return audioSsrc_ != 0 ? audioSsrc_ : receiverSsrc_;
}

bool PeerConnection::requestKeyframe(uint32_t mediaSsrc) {
  std::array<uint8_t, kRtcpBufferSize> buffer;
  size_t n = rtp::writeReceiverReport(buffer, rtcpSenderSsrc(), {});
  n += rtp::writePli(MutableByteView(buffer).subspan(n), rtcpSenderSsrc(), mediaSsrc);
  const bool sent = transport_->sendRtcp(ByteView(buffer.data(), n));
  transport_->flush();
  return sent;
}

bool PeerConnection::sendFeedback(ByteView packets) {
  std::array<uint8_t, kRtcpBufferSize> buffer;
  size_t n = rtp::writeReceiverReport(buffer, rtcpSenderSsrc(), {});
  if (n + packets.size() > buffer.size()) {
    return false;
  }
  std::memcpy(buffer.data() + n, packets.data(), packets.size());
  const bool sent = transport_->sendRtcp(ByteView(buffer.data(), n + packets.size()));
  transport_->flush();
  return sent;
}

bool PeerConnection::sendNack(uint32_t mediaSsrc, std::span<const uint16_t> lostSequenceNumbers) {
  std::array<uint8_t, kRtcpBufferSize> buffer;
  size_t n = rtp::writeReceiverReport(buffer, rtcpSenderSsrc(), {});
  const size_t nack =
      rtp::writeGenericNack(MutableByteView(buffer).subspan(n), rtcpSenderSsrc(), mediaSsrc, lostSequenceNumbers);
  if (nack == 0) {
    return false;
  }
  const bool sent = transport_->sendRtcp(ByteView(buffer.data(), n + nack));
  transport_->flush();
  return sent;
}

size_t PeerConnection::writeReport(MutableByteView out, Micros now) {
  size_t n = 0;
  std::array<rtp::ReportBlock, kMaxReportBlocks> blocks;
  const size_t blockCount = receiveStats_.writeReportBlocks(blocks, now);
  const std::span<const rtp::ReportBlock> reportBlocks(blocks.data(), blockCount);
  bool blocksWritten = false;
  if (sender_) {
    // RFC 3550 §6.4.1: one SR per sending SSRC; its RTP timestamp is the stream's clock
    // extrapolated from the last packet to the NTP instant.
    const uint64_t ntp = ntpNow(loop_.clock());
    auto writeSr = [&](uint32_t ssrc, const MediaSender::StreamCounters& c, int64_t clockRate) {
      if (ssrc == 0 || c.packets == 0) {
        return;
      }
      rtp::SenderInfo info;
      info.ssrc = ssrc;
      info.ntpTimestamp = ntp;
      info.rtpTimestamp = c.lastRtpTimestamp + static_cast<uint32_t>((now - c.lastSendTime).count() * clockRate / 1'000'000);
      info.packetCount = static_cast<uint32_t>(c.packets);
      info.octetCount = static_cast<uint32_t>(c.payloadBytes);
      n += rtp::writeSenderReport(out.subspan(n), info, blocksWritten ? std::span<const rtp::ReportBlock>{} : reportBlocks);
      blocksWritten = true;
    };
    writeSr(sender_->config().videoSsrc, sender_->stats().video, 90'000);
    writeSr(sender_->config().audioSsrc, sender_->stats().audio, 48'000);
  }
  if (n == 0) {
    n += rtp::writeReceiverReport(out, rtcpSenderSsrc(), reportBlocks);
  }
  n += rtp::writeSdesCname(out.subspan(n), rtcpSenderSsrc(), cname_);
  return n;
}

bool PeerConnection::sendReport() {
  if (!connected()) {
    return false;
  }
  std::array<uint8_t, kRtcpBufferSize> buffer;
  const size_t n = writeReport(buffer, loop_.now());
  const bool sent = transport_->sendRtcp(ByteView(buffer.data(), n));
  transport_->flush();
  return sent;
}

void PeerConnection::scheduleReport() {
  // RFC 3550 §6.2 randomises the interval to 0.5..1.5 of the mean; so do we, which also
  // keeps hundreds of load-generator connections from reporting in lockstep.
  const auto base = config_.rtcpInterval.count();
  const auto jitter = base > 0 ? static_cast<int64_t>(randomU32() % static_cast<uint32_t>(base)) : 0;
  reportTimer_ = loop_.runAfter(Micros(base / 2 + jitter), [this] {
    reportTimer_.reset();
    if (!connected()) {
      return;
    }
    sendReport();
    scheduleReport();
  });
}

void PeerConnection::close() {
  closed_ = true;
  if (reportTimer_) {
    loop_.cancelTimer(*reportTimer_);
    reportTimer_.reset();
  }
  transport_->close();
}

void PeerConnection::onTransportConnected() {
  const auto& timing = transport_->timing();
  ConnectedInfo info;
  info.startedAt = timing.startedAt;
  info.iceSucceededAt = timing.iceSucceededAt.value_or(Micros(0));
  info.dtlsConnectedAt = timing.dtlsConnectedAt.value_or(Micros(0));
  info.profile = transport_->srtpProfile().value_or(srtp::SrtpProfile::kAeadAes128Gcm);
  connectedInfo_ = info;
  if (config_.rtcpInterval.count() > 0) {
    scheduleReport();
  }
  if (listener_ != nullptr) {
    listener_->onConnected(*this, info);
  }
}

void PeerConnection::onTransportRtp(rtp::RtpPacketView& packet, Micros receivedAt) {
  const PayloadTypeInfo& pt = payloadTypes_[packet.payloadType()];
  ReceiveStats::Packet info;
  info.kind = pt.kind;
  info.clockRate = pt.clockRate;
  info.receivedAt = receivedAt;
  if (pt.vp8) {
    info.sendTime = readVp8SendTime(packet.payload());
    info.keyframe = rtp::isVp8Keyframe(packet.payload());
  } else if (pt.opus) {
    info.sendTime = readOpusSendTime(packet.payload());
  }
  const StreamStats& stream = receiveStats_.onRtp(packet, info);
  if (config_.requestKeyframeOnStart && pt.vp8 && stream.keyframes == 0) {
    auto [it, first] = lastKeyframeRequest_.try_emplace(packet.ssrc(), receivedAt);
    if (first || receivedAt - it->second >= config_.keyframeRequestInterval) {
      it->second = receivedAt;
      requestKeyframe(packet.ssrc());
    }
  }
  if (listener_ != nullptr) {
    ReceivedRtp received{receivedAt, info.kind, info.sendTime, info.keyframe, &stream};
    listener_->onRtp(*this, packet, received);
  }
}

void PeerConnection::onTransportRtcp(ByteView compound, Micros receivedAt) {
  if (sender_) {
    sender_->handleRtcp(compound, receivedAt);
  }
  if (auto parsed = rtp::RtcpCompoundView::parse(compound)) {
    for (const rtp::RtcpPacketView packet : *parsed) {
      if (packet.kind() == rtp::RtcpKind::kSenderReport) {
        if (auto sr = rtp::SenderReportView::parse(packet)) {
          receiveStats_.onSenderReport(sr->senderSsrc(), sr->ntpTimestamp(), receivedAt);
        }
      }
    }
  }
  if (listener_ != nullptr) {
    listener_->onRtcp(*this, compound, receivedAt);
  }
}

void PeerConnection::onTransportFailed(const std::string& reason) {
  if (reportTimer_) {
    loop_.cancelTimer(*reportTimer_);
    reportTimer_.reset();
  }
  if (listener_ != nullptr) {
    listener_->onFailed(*this, reason);
  }
}

}  // namespace medrtc::client
