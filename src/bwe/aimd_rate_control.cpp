#include "bwe/aimd_rate_control.hpp"

#include <algorithm>
#include <cmath>

namespace medrtc::bwe {

uint64_t AimdRateControl::clamp(uint64_t bps) const { return std::clamp(bps, minBps_, maxBps_); }

void AimdRateControl::update(BandwidthUsage usage, std::optional<uint64_t> ackedBps, int64_t nowUs) {
  int64_t elapsedUs = lastUpdateUs_ ? std::clamp<int64_t>(nowUs - *lastUpdateUs_, 0, 1'000'000) : 0;
  lastUpdateUs_ = nowUs;
  switch (usage) {
    case BandwidthUsage::kNormal:
      if (state_ == State::kHold) {
        state_ = State::kIncrease;
      }
      break;
    case BandwidthUsage::kOverusing:
      state_ = State::kDecrease;
      break;
    case BandwidthUsage::kUnderusing:
      state_ = State::kHold;
      break;
  }
  if (linkCapacityBps_ && ackedBps && *ackedBps > *linkCapacityBps_ * 13 / 10) {
    linkCapacityBps_.reset();  // the path got faster than where the queue built last time
  }
  switch (state_) {
    case State::kHold:
      break;
    case State::kIncrease: {
      double seconds = static_cast<double>(elapsedUs) / 1e6;
      double increase = 0;
      if (linkCapacityBps_ && rateBps_ > *linkCapacityBps_ / 2) {
        // Near the capacity found last time: one 1200-byte packet per response time.
        double responseSeconds = static_cast<double>(rttUs_ + 100'000) / 1e6;
        increase = std::max(4000.0, 1200.0 * 8 / responseSeconds) * seconds;
      } else {
        increase = std::max(1000.0 * seconds, static_cast<double>(rateBps_) * (std::pow(1.08, seconds) - 1));
      }
      uint64_t next = rateBps_ + static_cast<uint64_t>(increase);
      if (ackedBps) {
        // No further than the evidence, but never down because of this bound.
        next = std::min(next, std::max(rateBps_, *ackedBps * 3 / 2 + 10'000));
      }
      rateBps_ = clamp(next);
      break;
    }
    case State::kDecrease: {
      // At most half the rate at once: while the sender is application-limited (a low
      // layer, little to send) the acknowledged rate is far below the estimate, and one
      // spurious overuse on a busy receiver would otherwise throw the estimate down to it.
      // A real bottleneck brings it lower on the next overuse, a few hundred ms later.
      uint64_t basis = std::max(ackedBps ? *ackedBps : rateBps_, rateBps_ / 2);
      uint64_t next = static_cast<uint64_t>(static_cast<double>(basis) * kBeta);
      rateBps_ = clamp(std::min(next, rateBps_));
      if (ackedBps) {
        linkCapacityBps_ = linkCapacityBps_ && *ackedBps > *linkCapacityBps_ * 7 / 10
                               ? (*linkCapacityBps_ * 3 + *ackedBps) / 4
                               : *ackedBps;
      }
      lastDecreaseUs_ = nowUs;
      state_ = State::kHold;  // let the queue drain before growing again
      break;
    }
  }
}

void AimdRateControl::onProbeResult(uint64_t bps, BandwidthUsage usage) {
  if (usage == BandwidthUsage::kOverusing || bps <= rateBps_) {
    return;
  }
  rateBps_ = clamp(bps);
  if (linkCapacityBps_ && bps > *linkCapacityBps_) {
    linkCapacityBps_.reset();
  }
}

}  // namespace medrtc::bwe
