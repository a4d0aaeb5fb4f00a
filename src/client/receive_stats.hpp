#pragma once
// What a synthetic client counts about the RTP it receives, per SSRC: packets, bytes,
// RFC 3550 loss (expected - received, Appendix A.3) and interarrival jitter (§6.4.1, A.8),
// keyframes, and added latency from the embedded send time (synthetic_media.hpp). It also
// writes the RFC 3550 §6.4.1 report blocks for our receiver reports.
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>

#include "client/latency_histogram.hpp"
#include "common/clock.hpp"
#include "rtp/rtcp_reports.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "rtp/sequence_number.hpp"

namespace medrtc::client {

enum class MediaKind : uint8_t { kUnknown, kAudio, kVideo };

struct StreamStats {
  uint32_t ssrc = 0;
  MediaKind kind = MediaKind::kUnknown;
  uint8_t payloadType = 0;
  uint32_t clockRate = 0;  // 0 = unknown: no jitter

  uint64_t packets = 0;
  uint64_t payloadBytes = 0;
  uint64_t frames = 0;     // packets with the marker bit (video: end of frame)
  uint64_t keyframes = 0;  // first packets of VP8 keyframes
  int64_t baseSequence = 0;     // unwrapped first sequence number
  int64_t highestSequence = 0;  // unwrapped highest sequence number
  Micros firstPacketAt{0};
  Micros lastPacketAt{0};
  std::optional<Micros> firstKeyframeAt;
  double jitter = 0;  // RFC 3550 §6.4.1, in timestamp units
  LatencyHistogram latency;  // receive time - embedded send time

  // RFC 3550 Appendix A.3.
  uint64_t expected() const { return static_cast<uint64_t>(highestSequence - baseSequence + 1); }
  int64_t lost() const { return static_cast<int64_t>(expected()) - static_cast<int64_t>(packets); }
  double lossFraction() const {
    return expected() == 0 ? 0.0 : static_cast<double>(std::max<int64_t>(lost(), 0)) / static_cast<double>(expected());
  }

  // Report-block state (RFC 3550 Appendix A.3 "prior" counters, §6.4.1 LSR/DLSR).
  rtp::SequenceNumberUnwrapper unwrapper;
  uint64_t expectedPrior = 0;
  uint64_t receivedPrior = 0;
  int64_t lastTransitUnits = 0;
  bool haveTransit = false;
  uint32_t lastSrMiddle = 0;
  Micros lastSrReceivedAt{0};
};

class ReceiveStats {
 public:
  struct Packet {
    MediaKind kind = MediaKind::kUnknown;
    uint32_t clockRate = 0;
    Micros receivedAt{0};
    std::optional<Micros> sendTime;
    bool keyframe = false;
  };

  // Counts one packet; returns its stream's stats.
  StreamStats& onRtp(const rtp::RtpPacketView& packet, const Packet& info);
  // Remembers an SR's NTP time for LSR/DLSR (RFC 3550 §6.4.1).
  void onSenderReport(uint32_t ssrc, uint64_t ntpTimestamp, Micros receivedAt);

  // Writes up to out.size() report blocks (one per stream) and advances the "prior"
  // counters; returns how many were written.
  size_t writeReportBlocks(std::span<rtp::ReportBlock> out, Micros now);

  const StreamStats* find(uint32_t ssrc) const;
  const std::unordered_map<uint32_t, StreamStats>& streams() const { return streams_; }
  // Sums over all streams of a kind.
  uint64_t packets(MediaKind kind) const;
  int64_t lost(MediaKind kind) const;
  LatencyHistogram latency(MediaKind kind) const;

 private:
  std::unordered_map<uint32_t, StreamStats> streams_;
};

}  // namespace medrtc::client
