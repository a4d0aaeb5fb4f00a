#pragma once
// One incoming track of a publisher (mediasoup's Producer): knows its SSRCs and codecs,
// unwraps RTX retransmissions (RFC 4588), keeps receive statistics for RTCP receiver
// reports (RFC 3550 §6.4.2, A.3, A.8), caches video packets for NACK answers and
// rate-limits keyframe requests toward the publisher.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "rtp/sequence_number.hpp"
#include "sdp/session_description.hpp"
#include "sfu/rtp_packet_cache.hpp"

namespace medrtc::sfu {

class Consumer;

struct ProducerParameters {
  std::string mid;
  std::string kind;  // "audio" or "video"
  std::string trackId;
  std::vector<sdp::Codec> codecs;  // negotiated, with the publisher's payload types
  uint32_t ssrc = 0;               // 0: learn it from the first packet carrying our mid
  uint32_t rtxSsrc = 0;
};

class Producer {
 public:
  Producer(std::string participantId, ProducerParameters parameters);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  const std::string& participantId() const { return participantId_; }
  const std::string& mid() const { return params_.mid; }
  const std::string& kind() const { return params_.kind; }
  const std::string& trackId() const { return params_.trackId; }
  bool isVideo() const { return isVideo_; }
  uint32_t ssrc() const { return params_.ssrc; }
  uint32_t rtxSsrc() const { return params_.rtxSsrc; }
  void learnSsrc(uint32_t ssrc) { params_.ssrc = ssrc; }
  void learnRtxSsrc(uint32_t ssrc) { params_.rtxSsrc = ssrc; }
  // The codec consumers advertise: the first negotiated media (non-rtx) codec.
  const sdp::Codec* primaryCodec() const { return primaryCodec_; }
  uint32_t clockRate() const { return clockRate_; }

  // Payload type a consumer sends for the publisher's `payloadType` (server canonical
  // numbering), or nullopt if the codec was not negotiated.
  std::optional<uint8_t> canonicalPayloadType(uint8_t payloadType) const;

  enum class Verdict { kForward, kDrop };
  // Accounts for an incoming packet; turns an RTX packet back into the original in place.
  Verdict receive(rtp::RtpPacketView& packet, Micros now);
  bool isKeyframe(const rtp::RtpPacketView& packet) const;

  const RtpPacketCache& cache() const { return cache_; }

  // True when a PLI should go to the publisher now; collapses bursts of requests from
  // many subscribers into one per interval.
  bool takeKeyframeRequest(Micros now);
  void requestKeyframe() { keyframeWanted_ = true; }

  void onSenderReport(uint32_t ntpMid, uint64_t ntp, uint32_t rtpTimestamp, Micros now);
  // Writes an RFC 3550 report block for this stream; false before any packet arrived.
  bool writeReportBlock(uint8_t* out, Micros now);
  // Publisher's clock mapping from its last SR, to give subscribers consistent SRs.
  struct SenderClock {
    uint64_t ntp;
    uint32_t rtpTimestamp;
    Micros receivedAt;
  };
  std::optional<SenderClock> senderClock() const { return senderClock_; }

  void addConsumer(Consumer& consumer);
  void removeConsumer(Consumer& consumer);
  const std::vector<Consumer*>& consumers() const { return consumers_; }

  struct Stats {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t retransmissions = 0;
    uint64_t unknownPayloadType = 0;
  };
  const Stats& stats() const { return stats_; }
  // Cumulative RFC 3550 A.3 figures for call-quality reports (sfu/room_quality.hpp), read
  // without disturbing the interval state writeReportBlock keeps.
  struct ReceiveFigures {
    uint64_t expected = 0;
    uint64_t received = 0;
    double jitterSeconds = 0;
  };
  ReceiveFigures receiveFigures() const;

 private:
  bool unwrapRtx(rtp::RtpPacketView& packet);
  void updateStatistics(const rtp::RtpPacketView& packet, Micros now);

  std::string participantId_;
  ProducerParameters params_;
  std::vector<std::pair<uint8_t, uint8_t>> payloadTypeMap_;  // publisher PT → canonical PT
  std::vector<std::pair<uint8_t, uint8_t>> rtxPayloadTypes_;  // rtx PT → media PT
  // Resolved once from the negotiated codecs: the per-packet path (statistics, keyframe
  // detection) must not compare codec names (sdp::canonicalPayloadType walks strings).
  const sdp::Codec* primaryCodec_ = nullptr;
  uint32_t clockRate_ = 90000;
  bool isVideo_ = false;
  std::vector<uint8_t> h264PayloadTypes_;
  RtpPacketCache cache_;
  std::vector<Consumer*> consumers_;

  bool keyframeWanted_ = false;
  Micros lastKeyframeRequest_{-1'000'000'000};
  std::optional<Micros> lastPacketAt_;  // arrival of the latest packet, for resumeKeyframe

  // RFC 3550 A.1/A.3/A.8 receive statistics.
  rtp::SequenceNumberUnwrapper unwrapper_;
  int64_t baseSeq_ = 0;
  int64_t maxSeq_ = 0;
  uint64_t received_ = 0;
  uint64_t expectedPrior_ = 0;
  uint64_t receivedPrior_ = 0;
  double jitter_ = 0;
  int64_t lastTransit_ = 0;
  bool haveTransit_ = false;
  uint32_t lastSrNtpMid_ = 0;
  Micros lastSrReceivedAt_{0};
  std::optional<SenderClock> senderClock_;
  Stats stats_;
};

}  // namespace medrtc::sfu
