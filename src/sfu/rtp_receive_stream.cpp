#include "sfu/rtp_receive_stream.hpp"

#include <algorithm>
#include <cmath>

#include "sfu/media_counters.hpp"

namespace medrtc::sfu {

namespace {
// Collapse keyframe requests: a new subscriber and a decoder error on another often
// arrive together; one PLI per interval is enough and spares the publisher's uplink.
constexpr Micros kKeyframeRequestInterval{300'000};
constexpr Micros kInactiveAfter{1'000'000};
constexpr Micros kBitrateWindow{1'000'000};
}  // namespace

void RtpReceiveStream::onPacket(const rtp::RtpPacketView& packet, uint32_t clockRate, Micros now,
                                bool retransmission) {
  if (!lastPacketAt_ || now - *lastPacketAt_ >= kInactiveAfter) {
    activeSince_ = now;
    windowStart_ = now;
    windowBytes_ = 0;
  }
  lastPacketAt_ = now;
  if (now - windowStart_ >= kBitrateWindow) {
    bitrate_ = windowBytes_ * 8 * 1'000'000 / static_cast<uint64_t>((now - windowStart_).count());
    windowStart_ = now;
    windowBytes_ = 0;
  }
  if (!retransmission) {
    windowBytes_ += packet.payload().size();
  }

  int64_t seq = unwrapper_.unwrap(packet.sequenceNumber());
  if (received_ == 0) {
    baseSeq_ = seq;
    maxSeq_ = seq;
  }
  maxSeq_ = std::max(maxSeq_, seq);
  ++received_;
  // RFC 3550 A.8: interarrival jitter in timestamp units.
  int64_t arrival = now.count() * static_cast<int64_t>(clockRate) / 1'000'000;
  int64_t transit = arrival - static_cast<int64_t>(packet.timestamp());
  if (haveTransit_) {
    double d = std::abs(static_cast<double>(transit - lastTransit_));
    jitter_ += (d - jitter_) / 16.0;
  }
  lastTransit_ = transit;
  haveTransit_ = true;
}

bool RtpReceiveStream::active(Micros now) const { return lastPacketAt_ && now - *lastPacketAt_ < kInactiveAfter; }

bool RtpReceiveStream::takeKeyframeRequest(Micros now) {
  if (!keyframeWanted_ || now - lastKeyframeRequest_ < kKeyframeRequestInterval) {
    return false;
  }
  keyframeWanted_ = false;
  lastKeyframeRequest_ = now;
  return true;
}

void RtpReceiveStream::onSenderReport(uint32_t ntpMid, uint64_t ntp, uint32_t rtpTimestamp, Micros now) {
  lastSrNtpMid_ = ntpMid;
  lastSrReceivedAt_ = now;
  senderClock_ = SenderClock{ntp, rtpTimestamp, now};
}

bool RtpReceiveStream::writeReportBlock(uint8_t* out, uint32_t clockRate, Micros now) {
  if (received_ == 0 || ssrc_ == 0) {
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
  counters.jitterSeconds.observe(jitter_ / static_cast<double>(clockRate));
  uint8_t fraction = 0;
  if (expectedInterval != 0 && lostInterval > 0) {
    fraction = static_cast<uint8_t>((lostInterval << 8) / static_cast<int64_t>(expectedInterval));
  }
  uint32_t dlsr = 0;
  if (lastSrNtpMid_ != 0) {
    // Delay since last SR in units of 1/65536 s.
    dlsr = static_cast<uint32_t>((now - lastSrReceivedAt_).count() * 65536 / 1'000'000);
  }
  writeU32(out, ssrc_);
  out[4] = fraction;
  writeU24(out + 5, static_cast<uint32_t>(lost) & 0xFFFFFF);
  writeU32(out + 8, static_cast<uint32_t>(maxSeq_ & 0xFFFFFFFF));
  writeU32(out + 12, static_cast<uint32_t>(jitter_));
  writeU32(out + 16, lastSrNtpMid_);
  writeU32(out + 20, dlsr);
  return true;
}

}  // namespace medrtc::sfu
