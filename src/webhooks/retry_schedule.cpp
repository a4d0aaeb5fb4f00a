#include "webhooks/retry_schedule.hpp"

#include <algorithm>
#include <cstdint>

#include "common/random.hpp"

namespace medrtc::webhooks {

std::chrono::milliseconds RetrySchedule::nominalDelay(int failedAttempts) const {
  int64_t ms = base.count();
  for (int i = 1; i < failedAttempts && ms < cap.count(); ++i) {
    ms *= 2;
  }
  return std::chrono::milliseconds(std::min<int64_t>(ms, cap.count()));
}

std::chrono::milliseconds RetrySchedule::delay(int failedAttempts, double unit) const {
  double factor = 0.8 + 0.4 * std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(nominalDelay(failedAttempts).count()) *
                                                        factor));
}

std::chrono::milliseconds RetrySchedule::randomDelay(int failedAttempts) const {
  return delay(failedAttempts, static_cast<double>(randomU32()) / 4294967296.0);
}

}  // namespace medrtc::webhooks
