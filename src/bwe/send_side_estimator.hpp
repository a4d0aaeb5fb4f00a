#pragma once
// Send-side bandwidth estimate of one subscriber's downlink from its transport-cc feedback
// (GoogCC as libwebrtc and mediasoup's TransportCongestionControlClient run it; written
// here from draft-ietf-rmcat-gcc-02 and the libwebrtc parameters, docs/bandwidth-estimation.md):
//
//   feedback → FeedbackAdapter (checked, matched with SendHistory)
//            → TrendlineEstimator (delay gradient: overuse / normal / underuse)
//            → AimdRateControl (delay-based rate, around the acknowledged rate)
//            → LossBasedBound (cap while loss > 10 %)
//            → ProbeController (padding clusters when more is wanted than estimated)
//   estimate = clamp(min(delay-based rate, loss bound), floor, ceiling)
//
// Start 1 Mbit/s; floor 30 kbit/s (below that only audio fits anyway, and the estimate
// must keep room to notice recovery); ceiling 2.5 Mbit/s or 1.5 × what the allocation
// could use, whichever is more (a subscriber of three HD publishers needs > 2.5 Mbit/s).
#include <cstdint>
#include <optional>

#include "bwe/acked_bitrate.hpp"
#include "bwe/aimd_rate_control.hpp"
#include "bwe/feedback_adapter.hpp"
#include "bwe/loss_based_bound.hpp"
#include "bwe/probe_controller.hpp"
#include "bwe/send_history.hpp"
#include "bwe/trendline_estimator.hpp"
#include "rtp/transport_cc.hpp"

namespace medrtc::bwe {

struct EstimatorConfig {
  uint64_t startBps = 1'000'000;
  uint64_t minBps = 30'000;
  uint64_t maxBps = 2'500'000;
};

class SendSideEstimator {
 public:
  explicit SendSideEstimator(EstimatorConfig config = {});

  // False when the feedback was ignored as a whole (counted in feedbackStats()).
  bool onFeedback(const rtp::TransportCcFeedbackView& feedback, const SendHistory& history, int64_t nowUs);
  // Round-trip time to the subscriber (from its receiver reports).
  void setRtt(int64_t rttUs);
  // What the subscriber's best allocation would use, audio included.
  void setWantedBps(uint64_t bps);

  // A probe cluster to send now (the caller pads up to its rate for its duration and then
  // calls onProbeSent), or nullopt.
  std::optional<ProbeCluster> maybeStartProbe(int64_t nowUs);
  void onProbeSent(int32_t id, int64_t endSequence) { probe_.onClusterSent(id, endSequence); }

  uint64_t estimateBps() const { return estimateBps_; }
  // True once feedback has arrived: before, the estimate is only the start value.
  bool hasFeedback() const { return feedbacks_ > 0; }
  // True once the estimate rests on evidence: a probe result or 2 s of feedback.
  bool settled() const { return settled_; }
  BandwidthUsage usage() const { return trendline_.state(); }
  double lossFraction() const { return loss_.lastLoss(); }
  uint64_t maxBps() const { return maxBps_; }
  const FeedbackAdapter::Stats& feedbackStats() const { return adapter_.stats(); }

 private:
  void recompute();

  EstimatorConfig config_;
  uint64_t maxBps_;
  uint64_t wantedBps_ = 0;
  FeedbackAdapter adapter_;
  TransportFeedback feedback_;
  TrendlineEstimator trendline_;
  AckedBitrate acked_;
  AimdRateControl aimd_;
  LossBasedBound loss_;
  ProbeController probe_;
  uint64_t estimateBps_;
  uint64_t feedbacks_ = 0;
  std::optional<int64_t> firstFeedbackUs_;
  bool settled_ = false;
};

}  // namespace medrtc::bwe
