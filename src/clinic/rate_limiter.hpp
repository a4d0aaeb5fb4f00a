#pragma once
// Counts failures per key in a sliding window and says how long a key must wait once it
// reached the limit (sign-in per account and per address, invitation codes per address
// and globally). In memory, per server process: a restart forgets the counts, which
// gives an attacker at most one extra window per restart.
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace medrtc::clinic {

class FailureLimiter {
 public:
  // At most `maxFailures` failures per key in any `windowSeconds`. `maxKeys` bounds
  // memory: when exceeded, keys without recent failures are dropped first.
  FailureLimiter(size_t maxFailures, int64_t windowSeconds, size_t maxKeys = 100'000);

  // 0 when the key may try now; else the seconds until its oldest counted failure leaves
  // the window (the Retry-After value, RFC 9110 §10.2.3).
  int64_t retryAfter(const std::string& key, int64_t now);
  void recordFailure(const std::string& key, int64_t now);
  // A success clears the key's failures (sign-in per account).
  void reset(const std::string& key);
  // Takes back the key's most recent failure: one counted in advance for an attempt that
  // then did not fail (sign-in counts before the hash so concurrent guesses see it).
  void forgetLatest(const std::string& key);

  size_t maxFailures() const { return maxFailures_; }
  int64_t windowSeconds() const { return window_; }

 private:
  void prune(std::deque<int64_t>& times, int64_t now) const;
  void evict(int64_t now);

  size_t maxFailures_;
  int64_t window_;
  size_t maxKeys_;
  std::unordered_map<std::string, std::deque<int64_t>> failures_;
};

}  // namespace medrtc::clinic
