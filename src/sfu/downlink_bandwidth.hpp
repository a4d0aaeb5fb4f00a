#pragma once
// One subscriber's downstream bandwidth control (issue 12 item 4; docs/bandwidth-
// estimation.md): the send-side estimator fed by the subscriber's transport-cc feedback,
// probe clusters padded on a video consumer's rtx stream, and the allocator that caps or
// pauses each of its video consumers. Runs only when the subscriber's answer kept the
// transport-wide-cc extension; otherwise the loss-based LayerSelector alone chooses, as
// before.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bwe/send_side_estimator.hpp"
#include "common/clock.hpp"
#include "rtp/transport_cc.hpp"
#include "sfu/bandwidth_allocator.hpp"

namespace medrtc::sfu {

class Consumer;
class WebRtcTransport;

class DownlinkBandwidth {
 public:
  // At most this much padding per tick (20 ms): 100 × 255 bytes ≈ 10 Mbit/s.
  static constexpr int kMaxPaddingPacketsPerTick = 100;

  explicit DownlinkBandwidth(std::string participantId) : participantId_(std::move(participantId)) {}

  void onFeedback(const rtp::TransportCcFeedbackView& feedback, const WebRtcTransport& transport, Micros now);
  void onRtt(Micros rtt) { estimator_.setRtt(rtt.count()); }
  // Every tick, before the consumers pick their layers.
  void onTick(Micros now, WebRtcTransport& transport, const std::vector<std::unique_ptr<Consumer>>& consumers);

  // A NACK answer may go out now: retransmissions get at most a quarter of the estimate
  // (a token bucket of 1200-byte packets, 250 ms deep). Under a cap the subscriber NACKs
  // everything the queue dropped; answering it all at the top layer's rate keeps the link
  // full and the loss high long after the layer went down. Always true without estimate.
  bool allowRetransmission(Micros now);

  // bit/s; 0 while no feedback has come (nothing measured).
  uint64_t estimateBps() const { return estimator_.hasFeedback() ? estimator_.estimateBps() : 0; }
  const bwe::SendSideEstimator& estimator() const { return estimator_; }

 private:
  void probe(Micros now, WebRtcTransport& transport, const std::vector<std::unique_ptr<Consumer>>& consumers);
  // Rebuilds tracks_ from the consumers (the buffers are reused: this runs every tick).
  void collectTracks(Micros now, const std::vector<std::unique_ptr<Consumer>>& consumers);
  void allocate(Micros now);

  std::string participantId_;
  double retransmitTokens_ = 0;  // bytes
  Micros lastRefill_{0};  // for the allocation log line
  bwe::SendSideEstimator estimator_;
  BandwidthAllocator allocator_;
  std::optional<bwe::ProbeCluster> cluster_;
  uint64_t clusterStartBytes_ = 0;
  std::vector<std::array<LayerState, 4>> layerStates_;
  std::vector<BandwidthAllocator::Track> tracks_;
  std::vector<Consumer*> owners_;
};

}  // namespace medrtc::sfu
