#include "bwe/loss_based_bound.hpp"

#include <algorithm>
#include <cmath>

namespace medrtc::bwe {

void LossBasedBound::onPackets(uint32_t received, uint32_t lost, uint64_t currentBps, int64_t nowUs) {
  if (!firstUs_) {
    firstUs_ = nowUs;
  }
  if (nowUs - *firstUs_ < kStartupUs) {
    return;
  }
  received_ += received;
  lost_ += lost;
  if (received_ + lost_ < kMinPackets) {
    return;
  }
  double loss = static_cast<double>(lost_) / static_cast<double>(received_ + lost_);
  received_ = 0;
  lost_ = 0;
  lastLoss_ = loss;
  double seconds = lastUpdateUs_ ? std::clamp(static_cast<double>(nowUs - *lastUpdateUs_) / 1e6, 0.0, 1.0) : 0.0;
  lastUpdateUs_ = nowUs;
  if (loss > kHighLoss) {
    lossFreeSinceUs_.reset();
    if (!lastDecreaseUs_ || nowUs - *lastDecreaseUs_ >= rttUs_ + 300'000) {
      uint64_t basis = bound_ ? std::min(*bound_, currentBps) : currentBps;
      bound_ = static_cast<uint64_t>(static_cast<double>(basis) * (1 - loss / 2));
      lastDecreaseUs_ = nowUs;
    }
    return;
  }
  if (loss >= kLowLoss) {
    lossFreeSinceUs_.reset();
    return;
  }
  if (!lossFreeSinceUs_) {
    lossFreeSinceUs_ = nowUs;
  }
  if (bound_) {
    if (nowUs - *lossFreeSinceUs_ >= kClearAfterUs) {
      bound_.reset();
    } else {
      bound_ = static_cast<uint64_t>(static_cast<double>(*bound_) * std::pow(1.08, seconds)) + 1000;
    }
  }
}

void LossBasedBound::onProbeResult(uint64_t bps) {
  if (bound_ && lastLoss_ < kLowLoss) {
    bound_ = std::max(*bound_, bps);
  }
}

}  // namespace medrtc::bwe
