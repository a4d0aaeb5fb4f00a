#include "bwe/send_side_estimator.hpp"

#include <algorithm>

namespace medrtc::bwe {

SendSideEstimator::SendSideEstimator(EstimatorConfig config)
    : config_(config),
      maxBps_(config.maxBps),
      aimd_(config.startBps, config.minBps, config.maxBps),
      estimateBps_(config.startBps) {}

bool SendSideEstimator::onFeedback(const rtp::TransportCcFeedbackView& feedback, const SendHistory& history,
                                   int64_t nowUs) {
  if (!adapter_.adapt(feedback, history, nowUs, feedback_)) {
    return false;
  }
  if (feedback_.timelineReset) {
    trendline_.reset();
    acked_.reset();
  }
  uint32_t received = 0;
  uint32_t lost = 0;
  int64_t highest = -1;
  for (const PacketResult& p : feedback_.packets) {
    highest = std::max(highest, p.sent.sequence);
    if (p.sent.probeCluster >= 0) {
      probe_.onPacket(p.sent.probeCluster, p.sent.sequence, p.sent.sendUs, p.arrivalUs, p.sent.size);
    }
    if (!p.arrivalUs) {
      ++lost;
      continue;
    }
    ++received;
    trendline_.onPacket(p.sent.sendUs, *p.arrivalUs);
    acked_.onPacket(*p.arrivalUs, p.sent.size);
  }
  ++feedbacks_;
  if (!firstFeedbackUs_) {
    firstFeedbackUs_ = nowUs;
  }
  aimd_.update(trendline_.state(), acked_.bps(), nowUs);
  loss_.onPackets(received, lost, estimateBps_, nowUs);
  if (auto result = probe_.takeResult(highest, nowUs)) {
    aimd_.onProbeResult(*result, trendline_.state());
    loss_.onProbeResult(*result);
    settled_ = true;
  }
  if (nowUs - *firstFeedbackUs_ >= 2'000'000) {
    settled_ = true;
  }
  recompute();
  return true;
}

void SendSideEstimator::recompute() {
  uint64_t bps = aimd_.rateBps();
  if (auto bound = loss_.boundBps()) {
    bps = std::min(bps, *bound);
  }
  estimateBps_ = std::clamp(bps, config_.minBps, maxBps_);
}

void SendSideEstimator::setRtt(int64_t rttUs) {
  aimd_.setRtt(rttUs);
  loss_.setRtt(rttUs);
}

void SendSideEstimator::setWantedBps(uint64_t bps) {
  wantedBps_ = bps;
  maxBps_ = std::max(config_.maxBps, bps * 3 / 2);
  aimd_.setMaxBps(maxBps_);
}

std::optional<ProbeCluster> SendSideEstimator::maybeStartProbe(int64_t nowUs) {
  if (!hasFeedback()) {
    return std::nullopt;  // nothing would measure it
  }
  return probe_.maybeStart(estimateBps_, wantedBps_, maxBps_, trendline_.state() == BandwidthUsage::kOverusing,
                           loss_.lastLoss() > LossBasedBound::kLowLoss, nowUs);
}

}  // namespace medrtc::bwe
