#pragma once
// A token bucket: what one WebSocket client may send per second, and how often one
// identity may join (issue 10, house rule 5: a bound on what one client can cost). Checked
// before a message is parsed, so a flood costs the server a socket read per frame and
// nothing more; refill is computed from the injected clock, so tests drive it.
#include <algorithm>

#include "common/clock.hpp"

namespace medrtc::signaling {

class MessageBudget {
 public:
  // `perSecond` tokens come back each second, up to `burst` (the bucket starts full).
  MessageBudget(double perSecond, double burst) : perSecond_(perSecond), burst_(burst), tokens_(burst) {}

  // Takes one token if there is one.
  bool take(Micros now) {
    refill(now);
    if (tokens_ < 1.0) {
      return false;
    }
    tokens_ -= 1.0;
    return true;
  }

  // Seconds until the next token (for `retry_after`), at least 1.
  int retryAfterSeconds(Micros now) {
    refill(now);
    double missing = std::max(0.0, 1.0 - tokens_);
    return std::max(1, static_cast<int>(missing / perSecond_ + 0.999));
  }

  // Full again and unused since: an entry nobody needs to keep (see SignalingHub's
  // per-identity join budgets).
  bool idle(Micros now) const { return tokensAt(now) >= burst_; }

 private:
  double tokensAt(Micros now) const {
    if (last_.count() == 0 || now <= last_) {
      return tokens_;
    }
    double seconds = static_cast<double>((now - last_).count()) / 1e6;
    return std::min(burst_, tokens_ + seconds * perSecond_);
  }
  void refill(Micros now) {
    tokens_ = tokensAt(now);
    last_ = std::max(last_, now);
  }

  double perSecond_;
  double burst_;
  double tokens_;
  Micros last_{0};
};

}  // namespace medrtc::signaling
