#include "client/receive_stats.hpp"

#include <algorithm>
#include <cmath>

namespace medrtc::client {

StreamStats& ReceiveStats::onRtp(const rtp::RtpPacketView& packet, const Packet& info) {
  auto [it, inserted] = streams_.try_emplace(packet.ssrc());
  StreamStats& s = it->second;
  const int64_t seq = s.unwrapper.unwrap(packet.sequenceNumber());
  if (inserted) {
    s.ssrc = packet.ssrc();
    s.baseSequence = seq;
    s.highestSequence = seq;
    s.firstPacketAt = info.receivedAt;
  }
  s.kind = info.kind;
  s.payloadType = packet.payloadType();
  s.clockRate = info.clockRate;
  s.highestSequence = std::max(s.highestSequence, seq);
  ++s.packets;
  s.payloadBytes += packet.payload().size();
  s.lastPacketAt = info.receivedAt;
  if (packet.marker()) {
    ++s.frames;
  }
  if (info.keyframe) {
    ++s.keyframes;
    if (!s.firstKeyframeAt) {
      s.firstKeyframeAt = info.receivedAt;
    }
  }
  if (info.sendTime) {
    s.latency.add(info.receivedAt - *info.sendTime);
  }
  // RFC 3550 §6.4.1 / A.8: J += (|D| - J) / 16 with D the change in transit time, both in
  // timestamp units.
  if (s.clockRate != 0) {
    const int64_t arrivalUnits = info.receivedAt.count() * s.clockRate / 1'000'000;
    const int64_t transit = arrivalUnits - static_cast<int64_t>(packet.timestamp());
    if (s.haveTransit) {
      const auto d = static_cast<double>(std::llabs(static_cast<int32_t>(transit - s.lastTransitUnits)));
      s.jitter += (d - s.jitter) / 16.0;
    }
    s.lastTransitUnits = transit;
    s.haveTransit = true;
  }
  return s;
}

void ReceiveStats::onSenderReport(uint32_t ssrc, uint64_t ntpTimestamp, Micros receivedAt) {
  auto it = streams_.find(ssrc);
  if (it == streams_.end()) {
    return;
  }
  it->second.lastSrMiddle = static_cast<uint32_t>(ntpTimestamp >> 16);
  it->second.lastSrReceivedAt = receivedAt;
}

size_t ReceiveStats::writeReportBlocks(std::span<rtp::ReportBlock> out, Micros now) {
  size_t n = 0;
  for (auto& [ssrc, s] : streams_) {
    if (n == out.size()) {
      break;
    }
    // RFC 3550 Appendix A.3.
    const uint64_t expected = s.expected();
    const uint64_t expectedInterval = expected - s.expectedPrior;
    const uint64_t receivedInterval = s.packets - s.receivedPrior;
    s.expectedPrior = expected;
    s.receivedPrior = s.packets;
    const int64_t lostInterval = static_cast<int64_t>(expectedInterval) - static_cast<int64_t>(receivedInterval);
    rtp::ReportBlock& b = out[n++];
    b = rtp::ReportBlock{};
    b.ssrc = ssrc;
    b.fractionLost = (expectedInterval == 0 || lostInterval <= 0)
                         ? 0
                         : static_cast<uint8_t>(std::min<int64_t>((lostInterval << 8) / static_cast<int64_t>(expectedInterval), 255));
    // 24-bit signed field (RFC 3550 §6.4.1): clamp.
    b.cumulativeLost = static_cast<int32_t>(std::clamp<int64_t>(s.lost(), -0x800000, 0x7FFFFF));
    b.extendedHighestSequence = static_cast<uint32_t>(s.highestSequence);
    b.jitter = static_cast<uint32_t>(s.jitter);
    if (s.lastSrMiddle != 0) {
      b.lastSr = s.lastSrMiddle;
      // DLSR in units of 1/65536 s.
      b.delaySinceLastSr = static_cast<uint32_t>((now - s.lastSrReceivedAt).count() * 65536 / 1'000'000);
    }
  }
  return n;
}

const StreamStats* ReceiveStats::find(uint32_t ssrc) const {
  auto it = streams_.find(ssrc);
  return it == streams_.end() ? nullptr : &it->second;
}

uint64_t ReceiveStats::packets(MediaKind kind) const {
  uint64_t n = 0;
  for (const auto& [ssrc, s] : streams_) {
    n += s.kind == kind ? s.packets : 0;
  }
  return n;
}

int64_t ReceiveStats::lost(MediaKind kind) const {
  int64_t n = 0;
  for (const auto& [ssrc, s] : streams_) {
    n += s.kind == kind ? s.lost() : 0;
  }
  return n;
}

LatencyHistogram ReceiveStats::latency(MediaKind kind) const {
  LatencyHistogram h;
  for (const auto& [ssrc, s] : streams_) {
    if (s.kind == kind) {
      h.merge(s.latency);
    }
  }
  return h;
}

}  // namespace medrtc::client
