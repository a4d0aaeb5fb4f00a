#pragma once
// One incoming RTP stream of a producer: a simulcast layer, or the only stream of a track
// without simulcast (mediasoup's RtpStreamRecv). It knows its SSRCs and RID, keeps the
// RFC 3550 receive statistics for its report block (§6.4.2, A.3, A.8), the publisher's
// clock mapping from its SRs, the recent packets for NACK answers, the keyframe-request
// state toward the publisher and whether it is active (what a layer selector needs).
//
// Every simulcast layer has its own SSRC and its own sequence-number space, so none of
// this can be shared between layers of one track.
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "rtp/sequence_number.hpp"
#include "sfu/nack_generator.hpp"
#include "sfu/rtp_packet_cache.hpp"

namespace medrtc::sfu {

class RtpReceiveStream {
 public:
  explicit RtpReceiveStream(std::string rid = {}) : rid_(std::move(rid)) {}

  const std::string& rid() const { return rid_; }
  uint32_t ssrc() const { return ssrc_; }
  uint32_t rtxSsrc() const { return rtxSsrc_; }
  void setSsrc(uint32_t ssrc) { ssrc_ = ssrc; }
  void setRtxSsrc(uint32_t ssrc) { rtxSsrc_ = ssrc; }

  // Accounts for one media packet (RTX already unwrapped). `clockRate` of its codec.
  // `retransmission`: it came on the rtx stream; it keeps the stream active but is not
  // counted in bitrate() (see there).
  void onPacket(const rtp::RtpPacketView& packet, uint32_t clockRate, Micros now, bool retransmission);
  void storeForRetransmission(const rtp::RtpPacketView& packet, Micros now) {
    cache_.store(packet.sequenceNumber(), packet.bytes(), now);
  }
  const RtpPacketCache& cache() const { return cache_; }
  RtpPacketCache& cache() { return cache_; }
  // Loss repair toward the publisher (video streams only feed it).
  NackGenerator& nack() { return nack_; }
  const NackGenerator& nack() const { return nack_; }

  // Active: a packet arrived within the last second (a browser's encoder may pause a
  // layer when its own uplink estimate drops). `activeSince` is when it last became so.
  bool active(Micros now) const;
  Micros activeSince() const { return activeSince_; }
  std::optional<Micros> lastPacketAt() const { return lastPacketAt_; }
  // Payload bits per second the encoder sent over the last completed one-second window.
  // Retransmissions are left out: libwebrtc (Chromium, Firefox) pads its bandwidth probes
  // with retransmissions of packets already sent, and counted in they made a Firefox 180p
  // layer measure 1.2 Mbit/s, so the allocator paused a subscriber whose estimate had
  // room for it twice over (issue 12, docs/bandwidth-estimation.md).
  uint64_t bitrate() const { return bitrate_; }

  // Keyframe requests, collapsed to one per interval per stream.
  void requestKeyframe() { keyframeWanted_ = true; }
  bool takeKeyframeRequest(Micros now);

  void onSenderReport(uint32_t ntpMid, uint64_t ntp, uint32_t rtpTimestamp, Micros now);
  struct SenderClock {
    uint64_t ntp;
    uint32_t rtpTimestamp;
    Micros receivedAt;
  };
  std::optional<SenderClock> senderClock() const { return senderClock_; }

  // Writes an RFC 3550 report block; false before any packet arrived. `clockRate` turns
  // jitter into seconds for the metrics.
  bool writeReportBlock(uint8_t* out, uint32_t clockRate, Micros now);

  uint64_t packetsReceived() const { return received_; }
  // Cumulative RFC 3550 A.3 figures for call-quality reports (sfu/room_quality.hpp), read
  // without disturbing the interval state writeReportBlock keeps.
  struct Figures {
    uint64_t expected = 0;
    uint64_t received = 0;
    double jitterSeconds = 0;
  };
  Figures figures(uint32_t clockRate) const {
    if (received_ == 0) {
      return {};
    }
    return {static_cast<uint64_t>(maxSeq_ - baseSeq_ + 1), received_, jitter_ / static_cast<double>(clockRate)};
  }

 private:
  std::string rid_;
  uint32_t ssrc_ = 0;
  uint32_t rtxSsrc_ = 0;
  RtpPacketCache cache_;
  NackGenerator nack_;

  bool keyframeWanted_ = false;
  Micros lastKeyframeRequest_{-1'000'000'000};
  std::optional<Micros> lastPacketAt_;
  Micros activeSince_{0};
  Micros windowStart_{0};
  uint64_t windowBytes_ = 0;
  uint64_t bitrate_ = 0;

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
};

}  // namespace medrtc::sfu
