#pragma once
// One incoming track of a publisher (mediasoup's Producer): knows its codecs and its
// streams (one, or one per simulcast layer, each an RtpReceiveStream with its SSRCs,
// receive statistics, packet cache and keyframe requests), binds SSRCs to layers by RID
// (RFC 8852), unwraps RTX retransmissions (RFC 4588) and caches video packets for NACK
// answers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "rtp/sequence_number.hpp"
#include "rtp/vp8.hpp"
#include "sfu/rtp_parameters.hpp"
#include "sfu/rtp_receive_stream.hpp"

namespace medrtc::sfu {

class Consumer;

struct ProducerParameters {
  std::string mid;
  std::string kind;  // "audio" or "video"
  std::string trackId;
  std::vector<RtpCodec> codecs;  // negotiated, with the publisher's payload types
  // Publisher PT → the server's, per codec the SFU forwards (the control side's table,
  // sfu/negotiation.hpp); a media PT not listed here is not forwarded.
  std::vector<PayloadTypeMapping> forwardedPayloadTypes;
  // What consumers offer subscribers: the primary codec under the server's PTs, rtx included.
  std::vector<RtpCodec> forwardedCodecs;
  uint32_t ssrc = 0;               // 0: learn it from the first packet carrying our mid
  uint32_t rtxSsrc = 0;
  // RFC 8853 simulcast: the layers' RIDs, lowest resolution first (the web client's order
  // of sendEncodings). Empty: one stream, SSRCs above.
  std::vector<std::string> rids;
};

class Producer {
 public:
  // Browsers send at most three; more RIDs in an offer are not given layers.
  static constexpr size_t kMaxLayers = 4;

  Producer(std::string participantId, ProducerParameters parameters);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  const std::string& participantId() const { return participantId_; }
  const std::string& mid() const { return params_.mid; }
  const std::string& kind() const { return params_.kind; }
  const std::string& trackId() const { return params_.trackId; }
  bool isVideo() const { return isVideo_; }
  // The publisher accepted "nack" feedback for the primary codec: it answers our NACKs.
  bool nackNegotiated() const { return nackNegotiated_; }
  // The first layer's SSRCs (the only layer without simulcast).
  uint32_t ssrc() const { return layers_.front().ssrc(); }
  uint32_t rtxSsrc() const { return layers_.front().rtxSsrc(); }
  void learnSsrc(uint32_t ssrc) { layers_.front().setSsrc(ssrc); }
  void learnRtxSsrc(uint32_t ssrc) { layers_.front().setRtxSsrc(ssrc); }

  bool simulcast() const { return !params_.rids.empty(); }
  size_t layerCount() const { return layers_.size(); }
  RtpReceiveStream& layer(size_t index) { return layers_[index]; }
  const RtpReceiveStream& layer(size_t index) const { return layers_[index]; }
  // Binds `ssrc` to the layer named `rid` (its media SSRC, or its RTX SSRC when the RID
  // came in the repaired-rtp-stream-id extension). False, and counted, for a RID the offer
  // did not announce or a layer already bound to another SSRC.
  bool bindRid(uint32_t ssrc, std::string_view rid, bool repaired);
  // The codec consumers advertise: the first negotiated media (non-rtx) codec.
  const RtpCodec* primaryCodec() const { return primaryCodec_; }
  const std::vector<RtpCodec>& forwardedCodecs() const { return params_.forwardedCodecs; }
  uint32_t clockRate() const { return clockRate_; }

  // Payload type a consumer sends for the publisher's `payloadType` (server canonical
  // numbering), or nullopt if the codec was not negotiated.
  std::optional<uint8_t> canonicalPayloadType(uint8_t payloadType) const;

  enum class Verdict { kForward, kDrop };
  // Accounts for an incoming packet; turns an RTX packet back into the original in place.
  // `layer` receives the index of the stream it belongs to. A packet on an SSRC bound to
  // no layer (an SSRC that changed mid-stream) is dropped and counted.
  Verdict receive(rtp::RtpPacketView& packet, Micros now, size_t* layer = nullptr);
  bool isKeyframe(const rtp::RtpPacketView& packet) const;
  // The VP8 payload descriptor of a video packet whose codec is VP8 (nullopt otherwise, or
  // when it is too short), for a consumer that renumbers frames across layer switches.
  std::optional<rtp::Vp8PayloadDescriptor> vp8Descriptor(const rtp::RtpPacketView& packet) const;

  const RtpPacketCache& cache(size_t layer = 0) const { return layers_[layer].cache(); }
  // A subscriber's round trip (RFC 3550 §6.4.1). The packet caches keep what NACK can
  // still use: kNackRoundTrips of the slowest recent subscriber's RTT, within
  // [kMinRetention, kMaxRetention]. The largest recent RTT decays by an eighth a report,
  // so a subscriber that went away stops holding memory.
  static constexpr int kNackRoundTrips = 4;
  static constexpr Micros kMinRetention{250'000};
  static constexpr Micros kMaxRetention{1'000'000};
  void observeRoundTrip(Micros roundTrip);

  // True when a PLI should go to the publisher now for that layer; collapses bursts of
  // requests from many subscribers into one per interval.
  bool takeKeyframeRequest(Micros now, size_t layer = 0) { return layers_[layer].takeKeyframeRequest(now); }
  // Every layer (a subscriber that just connected does not know which it will get).
  void requestKeyframe();
  void requestKeyframe(size_t layer) { layers_[layer].requestKeyframe(); }

  // An SR of one of our streams' SSRCs; ignored for any other.
  void onSenderReport(uint32_t ssrc, uint32_t ntpMid, uint64_t ntp, uint32_t rtpTimestamp, Micros now);
  // Writes an RFC 3550 report block for a stream; false before any packet arrived.
  bool writeReportBlock(uint8_t* out, Micros now, size_t layer = 0) {
    return layers_[layer].writeReportBlock(out, clockRate_, now);
  }
  // Publisher's clock mapping from its last SR, to give subscribers consistent SRs.
  using SenderClock = RtpReceiveStream::SenderClock;
  std::optional<SenderClock> senderClock(size_t layer = 0) const { return layers_[layer].senderClock(); }

  void addConsumer(Consumer& consumer);
  void removeConsumer(Consumer& consumer);
  const std::vector<Consumer*>& consumers() const { return consumers_; }

  struct Stats {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t retransmissions = 0;
    uint64_t unknownPayloadType = 0;
    uint64_t unknownRid = 0;   // a RID the offer did not announce, or a layer bound twice
    uint64_t unknownSsrc = 0;  // a packet on an SSRC no layer has (SSRC changed mid-stream)
    uint64_t unrequestedRetransmissions = 0;  // RTX of packets not missing (probe padding): dropped
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
  bool isH264(const rtp::RtpPacketView& packet) const;
  bool unwrapRtx(rtp::RtpPacketView& packet, uint32_t mediaSsrc);

  std::string participantId_;
  ProducerParameters params_;
  std::vector<std::pair<uint8_t, uint8_t>> payloadTypeMap_;  // publisher PT → canonical PT
  std::vector<std::pair<uint8_t, uint8_t>> rtxPayloadTypes_;  // rtx PT → media PT
  // Resolved once from the negotiated codecs: the per-packet path (statistics, keyframe
  // detection) must not compare codec names.
  const RtpCodec* primaryCodec_ = nullptr;
  uint32_t clockRate_ = 90000;
  bool isVideo_ = false;
  bool nackNegotiated_ = false;
  std::vector<uint8_t> h264PayloadTypes_;
  std::vector<RtpReceiveStream> layers_;  // never empty; never resized after construction
  std::vector<Consumer*> consumers_;
  Micros roundTrip_{0};  // the largest recent subscriber RTT, decaying
  Stats stats_;
};

}  // namespace medrtc::sfu
