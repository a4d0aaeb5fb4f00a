#include "bwe/trendline_estimator.hpp"

#include <algorithm>
#include <cmath>

namespace medrtc::bwe {

namespace {
// Least-squares slope of y over x; nullopt when x does not vary.
std::optional<double> slopeOf(const std::deque<std::pair<double, double>>& points) {
  double sumX = 0;
  double sumY = 0;
  for (const auto& [x, y] : points) {
    sumX += x;
    sumY += y;
  }
  double meanX = sumX / static_cast<double>(points.size());
  double meanY = sumY / static_cast<double>(points.size());
  double num = 0;
  double den = 0;
  for (const auto& [x, y] : points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) * (x - meanX);
  }
  if (den == 0) {
    return std::nullopt;
  }
  return num / den;
}
}  // namespace

void TrendlineEstimator::reset() { *this = TrendlineEstimator{}; }

void TrendlineEstimator::onPacket(int64_t sendUs, int64_t arrivalUs) {
  if (!current_) {
    current_ = Group{sendUs, sendUs, arrivalUs, arrivalUs};
    return;
  }
  if (sendUs < current_->firstSendUs) {
    return;  // reordered behind the group being built: no longer useful
  }
  if (sendUs - current_->firstSendUs <= kGroupSpanUs || belongsToBurst(sendUs, arrivalUs)) {
    current_->lastSendUs = std::max(current_->lastSendUs, sendUs);
    current_->lastArrivalUs = std::max(current_->lastArrivalUs, arrivalUs);
    return;
  }
  // A new group starts: the one just completed is compared with the one before it.
  if (previous_) {
    double sendDeltaMs = static_cast<double>(current_->lastSendUs - previous_->lastSendUs) / 1000.0;
    double arrivalDeltaMs = static_cast<double>(current_->lastArrivalUs - previous_->lastArrivalUs) / 1000.0;
    if (std::abs(arrivalDeltaMs - sendDeltaMs) > 3000.0) {
      // The receiver's clock jumped or a path changed: the old delays mean nothing now.
      reset();
      current_ = Group{sendUs, sendUs, arrivalUs, arrivalUs};
      return;
    }
    onGroupDelta(sendDeltaMs, arrivalDeltaMs, current_->lastArrivalUs);
  }
  previous_ = current_;
  current_ = Group{sendUs, sendUs, arrivalUs, arrivalUs};
}

bool TrendlineEstimator::belongsToBurst(int64_t sendUs, int64_t arrivalUs) const {
  int64_t arrivalDeltaUs = arrivalUs - current_->lastArrivalUs;
  int64_t sendDeltaUs = sendUs - current_->lastSendUs;
  if (sendDeltaUs == 0) {
    return true;  // sent together with the group's last packet
  }
  return arrivalDeltaUs - sendDeltaUs < 0 && arrivalDeltaUs <= kBurstDeltaUs &&
         arrivalUs - current_->firstArrivalUs < kMaxBurstUs;
}

void TrendlineEstimator::onGroupDelta(double sendDeltaMs, double arrivalDeltaMs, int64_t arrivalUs) {
  double deltaMs = arrivalDeltaMs - sendDeltaMs;
  deltas_ = std::min<size_t>(deltas_ + 1, 1000);
  if (!firstArrivalUs_) {
    firstArrivalUs_ = arrivalUs;
  }
  accumulatedDelayMs_ += deltaMs;
  smoothedDelayMs_ = kSmoothing * smoothedDelayMs_ + (1 - kSmoothing) * accumulatedDelayMs_;
  history_.emplace_back(static_cast<double>(arrivalUs - *firstArrivalUs_) / 1000.0, smoothedDelayMs_);
  if (history_.size() > kWindow) {
    history_.pop_front();
  }
  double trend = previousTrend_;
  if (history_.size() == kWindow) {
    trend = slopeOf(history_).value_or(previousTrend_);
  }
  detect(trend, sendDeltaMs, arrivalUs);
}

void TrendlineEstimator::detect(double trend, double sendDeltaMs, int64_t nowUs) {
  if (deltas_ < 2) {
    state_ = BandwidthUsage::kNormal;
    return;
  }
  modifiedTrend_ = static_cast<double>(std::min<size_t>(deltas_, 60)) * trend * kThresholdGain;
  if (modifiedTrend_ > thresholdMs_) {
    timeOverusingMs_ = timeOverusingMs_ < 0 ? sendDeltaMs / 2 : timeOverusingMs_ + sendDeltaMs;
    ++overuseCount_;
    if (timeOverusingMs_ > kOverusingTimeMs && overuseCount_ > 1 && trend >= previousTrend_) {
      timeOverusingMs_ = 0;
      overuseCount_ = 0;
      state_ = BandwidthUsage::kOverusing;
    }
  } else if (modifiedTrend_ < -thresholdMs_) {
    timeOverusingMs_ = -1;
    overuseCount_ = 0;
    state_ = BandwidthUsage::kUnderusing;
  } else {
    timeOverusingMs_ = -1;
    overuseCount_ = 0;
    state_ = BandwidthUsage::kNormal;
  }
  previousTrend_ = trend;
  updateThreshold(modifiedTrend_, nowUs);
}

void TrendlineEstimator::updateThreshold(double modifiedTrend, int64_t nowUs) {
  if (!lastThresholdUpdateUs_) {
    lastThresholdUpdateUs_ = nowUs;
  }
  double magnitude = std::abs(modifiedTrend);
  if (magnitude > thresholdMs_ + 15.0) {
    // A spike (a route change, a stalled receiver) must not drag the threshold up.
    lastThresholdUpdateUs_ = nowUs;
    return;
  }
  double k = magnitude < thresholdMs_ ? 0.039 : 0.0087;
  double elapsedMs = std::min(static_cast<double>(nowUs - *lastThresholdUpdateUs_) / 1000.0, 100.0);
  thresholdMs_ = std::clamp(thresholdMs_ + k * (magnitude - thresholdMs_) * elapsedMs, 6.0, 600.0);
  lastThresholdUpdateUs_ = nowUs;
}

}  // namespace medrtc::bwe
