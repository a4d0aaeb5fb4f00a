#pragma once
// When a failed delivery is tried again (docs/operations.md "Webhooks"): exponential
// backoff, base · 2^(n-1) after the n-th failed attempt, capped, with ±20 % jitter so
// that endpoints that failed together (a receiver restart) are not retried in lock-step.
// After maxAttempts the delivery is given up ("failed" in the delivery log).
#include <chrono>

namespace medrtc::webhooks {

struct RetrySchedule {
  std::chrono::milliseconds base{5'000};
  std::chrono::milliseconds cap{2 * 60 * 60 * 1000};
  int maxAttempts = 18;  // about 15 hours with the defaults

  // The wait after `failedAttempts` (>= 1) failures, before jitter.
  std::chrono::milliseconds nominalDelay(int failedAttempts) const;
  // With jitter: `unit` in [0, 1) scales it to [0.8, 1.2) of the nominal delay.
  std::chrono::milliseconds delay(int failedAttempts, double unit) const;
  // The same with a random unit (common/random.hpp).
  std::chrono::milliseconds randomDelay(int failedAttempts) const;
  bool exhausted(int attempts) const { return attempts >= maxAttempts; }
};

}  // namespace medrtc::webhooks
