#include "sfu/producer.hpp"

#include <algorithm>
#include <cstring>
#include <strings.h>

#include "rtp/h264.hpp"
#include "rtp/vp8.hpp"
#include "sfu/consumer.hpp"
#include "sfu/media_counters.hpp"

namespace medrtc::sfu {

namespace {
// A video stream silent this long that comes back has lost its subscribers' decoders
// their reference frames.
constexpr Micros kResumeAfterSilence{1'000'000};

bool nameIs(const RtpCodec& codec, const char* name) { return strcasecmp(codec.name.c_str(), name) == 0; }
}  // namespace

Producer::Producer(std::string participantId, ProducerParameters parameters)
    : participantId_(std::move(participantId)), params_(std::move(parameters)) {
  for (const auto& codec : params_.codecs) {
    if (codec.rtxFor) {
      rtxPayloadTypes_.emplace_back(static_cast<uint8_t>(codec.payloadType), static_cast<uint8_t>(*codec.rtxFor));
      continue;
    }
    auto forwarded = std::find_if(params_.forwardedPayloadTypes.begin(), params_.forwardedPayloadTypes.end(),
                                  [&](const PayloadTypeMapping& m) { return m.from == codec.payloadType; });
    if (forwarded != params_.forwardedPayloadTypes.end()) {
      payloadTypeMap_.emplace_back(static_cast<uint8_t>(codec.payloadType), static_cast<uint8_t>(forwarded->to));
      if (!primaryCodec_) {
        primaryCodec_ = &codec;
      }
    }
    if (nameIs(codec, "H264")) {
      h264PayloadTypes_.push_back(static_cast<uint8_t>(codec.payloadType));
    }
  }
  // params_ is never modified after this point except its SSRCs, so the codec pointer
  // stays valid.
  clockRate_ = primaryCodec_ ? primaryCodec_->clockRate : 90000;
  isVideo_ = params_.kind == "video";
  if (primaryCodec_) {
    nackNegotiated_ = std::find(primaryCodec_->rtcpFeedback.begin(), primaryCodec_->rtcpFeedback.end(), "nack") !=
                      primaryCodec_->rtcpFeedback.end();
  }
  if (params_.rids.empty()) {
    layers_.emplace_back();
    layers_.front().setSsrc(params_.ssrc);
    layers_.front().setRtxSsrc(params_.rtxSsrc);
  } else {
    for (const std::string& rid : params_.rids) {
      if (layers_.size() < kMaxLayers) {
        layers_.emplace_back(rid);
      }
    }
  }
}

bool Producer::bindRid(uint32_t ssrc, std::string_view rid, bool repaired) {
  for (RtpReceiveStream& layer : layers_) {
    if (layer.rid() != rid || rid.empty()) {
      continue;
    }
    uint32_t bound = repaired ? layer.rtxSsrc() : layer.ssrc();
    if (bound != 0 && bound != ssrc) {
      break;  // the layer has its SSRC: a second one would mix two sequence spaces
    }
    if (repaired) {
      layer.setRtxSsrc(ssrc);
    } else {
      layer.setSsrc(ssrc);
    }
    return true;
  }
  ++stats_.unknownRid;
  mediaCounters().droppedUnknownRid.add();
  return false;
}

void Producer::requestKeyframe() {
  for (RtpReceiveStream& layer : layers_) {
    layer.requestKeyframe();
  }
}

void Producer::onSenderReport(uint32_t ssrc, uint32_t ntpMid, uint64_t ntp, uint32_t rtpTimestamp, Micros now) {
  for (RtpReceiveStream& layer : layers_) {
    if (layer.ssrc() == ssrc && ssrc != 0) {
      layer.onSenderReport(ntpMid, ntp, rtpTimestamp, now);
    }
  }
}

Producer::~Producer() {
  // Consumers outlive nothing of ours: tell them their source is gone.
  for (Consumer* consumer : std::vector<Consumer*>(consumers_)) {
    consumer->onProducerClosed();
  }
}

std::optional<uint8_t> Producer::canonicalPayloadType(uint8_t payloadType) const {
  for (auto [from, to] : payloadTypeMap_) {
    if (from == payloadType) {
      return to;
    }
  }
  return std::nullopt;
}

bool Producer::unwrapRtx(rtp::RtpPacketView& packet, uint32_t mediaSsrc) {
  // RFC 4588 §4: the RTX payload starts with the original sequence number (OSN). Move the
  // payload two bytes forward... instead, rebuild the original header in place: the
  // header shifts right by two bytes over the OSN, so the payload stays where it is.
  uint8_t mediaPayloadType = 0;
  bool found = false;
  for (auto [rtx, media] : rtxPayloadTypes_) {
    if (rtx == packet.payloadType()) {
      mediaPayloadType = media;
      found = true;
    }
  }
  auto payload = packet.payload();
  if (!found || payload.size() < 2) {
    return false;
  }
  uint16_t originalSequence = readU16(payload.data());
  auto bytes = packet.bytes();
  size_t headerSize = packet.headerSize();
  size_t paddingSize = packet.paddingSize();
  auto* base = const_cast<uint8_t*>(bytes.data());
  std::memmove(base + 2, base, headerSize);
  size_t newSize = bytes.size() - 2 - paddingSize;
  MutableByteView shifted(base + 2, newSize);
  if (paddingSize) {
    shifted[0] &= static_cast<uint8_t>(~0x20);  // padding removed
  }
  auto reparsed = rtp::RtpPacketView::parse(shifted);
  if (!reparsed.ok()) {
    return false;
  }
  packet = *reparsed;
  packet.setSequenceNumber(originalSequence);
  packet.setPayloadType(mediaPayloadType);
  packet.setSsrc(mediaSsrc);
  ++stats_.retransmissions;
  return true;
}

Producer::Verdict Producer::receive(rtp::RtpPacketView& packet, Micros now, size_t* layerIndex) {
  RtpReceiveStream* stream = nullptr;
  bool retransmission = false;
  size_t index = 0;
  for (; index < layers_.size(); ++index) {
    RtpReceiveStream& candidate = layers_[index];
    if (candidate.ssrc() != 0 && candidate.ssrc() == packet.ssrc()) {
      stream = &candidate;
      break;
    }
    if (candidate.rtxSsrc() != 0 && candidate.rtxSsrc() == packet.ssrc()) {
      if (candidate.ssrc() == 0 || !unwrapRtx(packet, candidate.ssrc())) {
        return Verdict::kDrop;  // padding-only probe, unknown rtx payload, no media SSRC yet
      }
      stream = &candidate;
      retransmission = true;
      break;
    }
  }
  if (!stream) {
    ++stats_.unknownSsrc;
    mediaCounters().droppedUnknownSsrc.add();
    return Verdict::kDrop;
  }
  if (!canonicalPayloadType(packet.payloadType())) {
    ++stats_.unknownPayloadType;
    mediaCounters().droppedUnknownPayloadType.add();
    return Verdict::kDrop;
  }
  ++stats_.packets;
  stats_.bytes += packet.size();
  std::optional<Micros> previous = stream->lastPacketAt();
  stream->onPacket(packet, clockRate_, now, retransmission);
  if (isVideo()) {
    // The publisher's link was cut and is back (or its ICE restarted): ask for a keyframe
    // now. A browser receiving the stream would first NACK the gap, which the publisher
    // and our cache no longer hold, and only then ask, seconds later (measured in
    // tests/e2e/link-cut.test.mjs).
    if (previous && now - *previous >= kResumeAfterSilence) {
      stream->requestKeyframe();
    }
    stream->storeForRetransmission(packet, now);
    switch (stream->nack().onPacket(packet.sequenceNumber(), retransmission, now)) {
      case NackGenerator::Outcome::kGapTooWide:
        stream->requestKeyframe();  // too much lost to repair packet by packet
        break;
      case NackGenerator::Outcome::kRecovered:
        mediaCounters().gapsRepaired.add();
        break;
      case NackGenerator::Outcome::kDuplicate:
        if (retransmission) {
          // An RTX packet nobody asked for: libwebrtc pads its bandwidth probes with
          // retransmissions of packets already sent, and a late answer to a NACK we gave
          // up on is too late. Subscribers got the original (or ask us, and we answer from
          // the cache); forwarding it again costs a capped subscriber its link, and an old
          // keyframe among them could start a layer switch in the past.
          ++stats_.unrequestedRetransmissions;
          return Verdict::kDrop;
        }
        break;
      default:
        break;
    }
  }
  if (layerIndex) {
    *layerIndex = index;
  }
  return Verdict::kForward;
}

void Producer::observeRoundTrip(Micros roundTrip) {
  roundTrip_ = std::max(roundTrip, roundTrip_ - roundTrip_ / 8);
  Micros retention = std::clamp(roundTrip_ * kNackRoundTrips, kMinRetention, kMaxRetention);
  for (RtpReceiveStream& layer : layers_) {
    layer.cache().setRetention(retention);
  }
}

bool Producer::isKeyframe(const rtp::RtpPacketView& packet) const {
  if (!isVideo_) {
    return true;
  }
  return isH264(packet) ? rtp::isH264Keyframe(packet.payload()) : rtp::isVp8Keyframe(packet.payload());
}

std::optional<rtp::Vp8PayloadDescriptor> Producer::vp8Descriptor(const rtp::RtpPacketView& packet) const {
  if (!isVideo_ || isH264(packet)) {
    return std::nullopt;
  }
  return rtp::Vp8PayloadDescriptor::parse(packet.payload());
}

bool Producer::isH264(const rtp::RtpPacketView& packet) const {
  // The packet's own payload type decides the depacketizer; a type we do not know falls
  // back to the primary codec, as before.
  bool h264 = false;
  bool known = false;
  for (const auto& codec : params_.codecs) {
    if (codec.payloadType == packet.payloadType()) {
      known = true;
      break;
    }
  }
  if (known) {
    h264 = std::find(h264PayloadTypes_.begin(), h264PayloadTypes_.end(), packet.payloadType()) != h264PayloadTypes_.end();
  } else {
    h264 = primaryCodec_ && nameIs(*primaryCodec_, "H264");
  }
  return h264;
}

Producer::ReceiveFigures Producer::receiveFigures() const {
  ReceiveFigures figures;
  for (const RtpReceiveStream& layer : layers_) {
    RtpReceiveStream::Figures f = layer.figures(clockRate());
    figures.expected += f.expected;
    figures.received += f.received;
    figures.jitterSeconds = std::max(figures.jitterSeconds, f.jitterSeconds);
  }
  return figures;
}

void Producer::addConsumer(Consumer& consumer) { consumers_.push_back(&consumer); }

void Producer::removeConsumer(Consumer& consumer) { std::erase(consumers_, &consumer); }

}  // namespace medrtc::sfu
