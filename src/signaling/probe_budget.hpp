#pragma once
// The bounds on pre-call connectivity probes (docs/consultation-api.md "Pre-call check"):
// each probe costs a DTLS handshake and a transport on a media worker for up to its
// lifetime, and anyone holding a link could ask for them in a loop. So one source address
// opens a bounded number per window, one subject (an invitation or a join token's
// identity) holds a few at once, and the node holds a bounded number at once. A probe
// counts as held for its whole lifetime even when the browser closes it early: the
// control thread never hears of it again, and a check takes at most three probes anyway.
// In memory, per process, control thread only.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"

namespace medrtc::signaling {

struct ProbeLimits {
  // A whole check is up to three probes (UDP, TCP, TURN); 30 a minute is ten checks.
  size_t perAddress = 30;
  Micros addressWindow = std::chrono::seconds(60);
  size_t perSubject = 6;  // two whole checks: "Check again" right after one still runs
  size_t perNode = 200;
  Micros lifetime = std::chrono::seconds(15);  // as the media plane's (MediaConfig::probeLifetime)
  size_t maxKeys = 10'000;                     // addresses and subjects tracked at most
};

class ProbeBudget {
 public:
  explicit ProbeBudget(ProbeLimits limits = {}) : limits_(limits) {}

  enum class Bound { kAddress, kSubject, kNode };
  struct Refusal {
    Bound bound;
    int64_t retryAfterSeconds;  // until the oldest probe counted against that bound leaves
  };

  // Counts one probe for `subject` from `address` at monotonic time `now`, or says which
  // bound refuses it (then nothing is counted).
  std::optional<Refusal> take(const std::string& subject, const std::string& address, Micros now);
  // Probes held now (within their lifetime).
  size_t live(Micros now);
  const ProbeLimits& limits() const { return limits_; }

 private:
  // Drops the times before `since`; erases empty keys.
  static void prune(std::unordered_map<std::string, std::deque<Micros>>& map, Micros since);
  void prune(Micros now);
  int64_t secondsUntil(Micros when, Micros now) const;

  ProbeLimits limits_;
  std::unordered_map<std::string, std::deque<Micros>> byAddress_;  // open times
  std::unordered_map<std::string, std::deque<Micros>> bySubject_;  // open times
  std::deque<Micros> node_;                                        // open times
};

}  // namespace medrtc::signaling
