#include "sfu/producer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <strings.h>

#include "rtp/h264.hpp"
#include "rtp/vp8.hpp"
#include "sdp/server_capabilities.hpp"
#include "sfu/consumer.hpp"
#include "sfu/media_counters.hpp"

namespace medrtc::sfu {

namespace {
// Collapse keyframe requests: a new subscriber and a decoder error on another often
// arrive together; one PLI per interval is enough and spares the publisher's uplink.
constexpr Micros kKeyframeRequestInterval{300'000};
// A video stream silent this long that comes back has lost its subscribers' decoders
// their reference frames.
constexpr Micros kResumeAfterSilence{1'000'000};

bool nameIs(const sdp::Codec& codec, const char* name) { return strcasecmp(codec.name.c_str(), name) == 0; }
}  // namespace

Producer::Producer(std::string participantId, ProducerParameters parameters)
    : participantId_(std::move(participantId)), params_(std::move(parameters)) {
  for (const auto& codec : params_.codecs) {
    if (codec.rtxFor) {
      rtxPayloadTypes_.emplace_back(static_cast<uint8_t>(codec.payloadType), static_cast<uint8_t>(*codec.rtxFor));
      continue;
    }
    if (auto canonical = sdp::canonicalPayloadType(codec)) {
      payloadTypeMap_.emplace_back(static_cast<uint8_t>(codec.payloadType), static_cast<uint8_t>(*canonical));
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

bool Producer::unwrapRtx(rtp::RtpPacketView& packet) {
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
  packet.setSsrc(params_.ssrc);
  ++stats_.retransmissions;
  return true;
}

Producer::Verdict Producer::receive(rtp::RtpPacketView& packet, Micros now) {
  if (params_.rtxSsrc != 0 && packet.ssrc() == params_.rtxSsrc) {
    if (!unwrapRtx(packet)) {
      return Verdict::kDrop;  // padding-only probe or unknown rtx payload
    }
  }
  if (!canonicalPayloadType(packet.payloadType())) {
    ++stats_.unknownPayloadType;
    return Verdict::kDrop;
  }
  ++stats_.packets;
  stats_.bytes += packet.size();
  updateStatistics(packet, now);
  if (isVideo()) {
    // The publisher's link was cut and is back (or its ICE restarted): ask for a keyframe
    // now. A browser receiving the stream would first NACK the gap, which the publisher
    // and our cache no longer hold, and only then ask, seconds later (measured in
    // tests/e2e/link-cut.test.mjs).
    if (lastPacketAt_ && now - *lastPacketAt_ >= kResumeAfterSilence) {
      requestKeyframe();
    }
    lastPacketAt_ = now;
    cache_.store(packet.sequenceNumber(), packet.bytes());
  }
  return Verdict::kForward;
}

bool Producer::isKeyframe(const rtp::RtpPacketView& packet) const {
  if (!isVideo_) {
    return true;
  }
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
  return h264 ? rtp::isH264Keyframe(packet.payload()) : rtp::isVp8Keyframe(packet.payload());
}

bool Producer::takeKeyframeRequest(Micros now) {
  if (!keyframeWanted_ || now - lastKeyframeRequest_ < kKeyframeRequestInterval) {
    return false;
  }
  keyframeWanted_ = false;
  lastKeyframeRequest_ = now;
  return true;
}

void Producer::updateStatistics(const rtp::RtpPacketView& packet, Micros now) {
  int64_t seq = unwrapper_.unwrap(packet.sequenceNumber());
  if (received_ == 0) {
    baseSeq_ = seq;
    maxSeq_ = seq;
  }
  maxSeq_ = std::max(maxSeq_, seq);
  ++received_;
  // RFC 3550 A.8: interarrival jitter in timestamp units.
  int64_t arrival = now.count() * static_cast<int64_t>(clockRate()) / 1'000'000;
  int64_t transit = arrival - static_cast<int64_t>(packet.timestamp());
  if (haveTransit_) {
    double d = std::abs(static_cast<double>(transit - lastTransit_));
    jitter_ += (d - jitter_) / 16.0;
  }
  lastTransit_ = transit;
  haveTransit_ = true;
}

void Producer::onSenderReport(uint32_t ntpMid, uint64_t ntp, uint32_t rtpTimestamp, Micros now) {
  lastSrNtpMid_ = ntpMid;
  lastSrReceivedAt_ = now;
  senderClock_ = SenderClock{ntp, rtpTimestamp, now};
}

bool Producer::writeReportBlock(uint8_t* out, Micros now) {
  if (received_ == 0 || params_.ssrc == 0) {
    return false;
  }
  // RFC 3550 A.3.
  uint64_t expected = static_cast<uint64_t>(maxSeq_ - baseSeq_ + 1);
  int64_t lost = static_cast<int64_t>(expected) - static_cast<int64_t>(received_);
  lost = std::clamp<int64_t>(lost, -0x800000, 0x7FFFFF);
  uint64_t expectedInterval = expected - expectedPrior_;
  uint64_t receivedInterval = received_ - receivedPrior_;
  expectedPrior_ = expected;
  receivedPrior_ = received_;
  int64_t lostInterval = static_cast<int64_t>(expectedInterval) - static_cast<int64_t>(receivedInterval);
  MediaCounters& counters = mediaCounters();
  if (lostInterval > 0) {
    counters.packetsLost.add(static_cast<uint64_t>(lostInterval));
  }
  counters.jitterSeconds.observe(jitter_ / static_cast<double>(clockRate()));
  uint8_t fraction = 0;
  if (expectedInterval != 0 && lostInterval > 0) {
    fraction = static_cast<uint8_t>((lostInterval << 8) / static_cast<int64_t>(expectedInterval));
  }
  uint32_t dlsr = 0;
  if (lastSrNtpMid_ != 0) {
    // Delay since last SR in units of 1/65536 s.
    dlsr = static_cast<uint32_t>((now - lastSrReceivedAt_).count() * 65536 / 1'000'000);
  }
  writeU32(out, params_.ssrc);
  out[4] = fraction;
  writeU24(out + 5, static_cast<uint32_t>(lost) & 0xFFFFFF);
  writeU32(out + 8, static_cast<uint32_t>(maxSeq_ & 0xFFFFFFFF));
  writeU32(out + 12, static_cast<uint32_t>(jitter_));
  writeU32(out + 16, lastSrNtpMid_);
  writeU32(out + 20, dlsr);
  return true;
}

Producer::ReceiveFigures Producer::receiveFigures() const {
  if (received_ == 0) {
    return {};
  }
  return {static_cast<uint64_t>(maxSeq_ - baseSeq_ + 1), received_, jitter_ / static_cast<double>(clockRate())};
}

void Producer::addConsumer(Consumer& consumer) { consumers_.push_back(&consumer); }

void Producer::removeConsumer(Consumer& consumer) { std::erase(consumers_, &consumer); }

}  // namespace medrtc::sfu
