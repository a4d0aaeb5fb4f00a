#include "clinic/rate_limiter.hpp"

#include <algorithm>

namespace medrtc::clinic {

FailureLimiter::FailureLimiter(size_t maxFailures, int64_t windowSeconds, size_t maxKeys)
    : maxFailures_(std::max<size_t>(maxFailures, 1)), window_(std::max<int64_t>(windowSeconds, 1)),
      maxKeys_(std::max<size_t>(maxKeys, 1)) {}

void FailureLimiter::prune(std::deque<int64_t>& times, int64_t now) const {
  while (!times.empty() && times.front() + window_ <= now) {
    times.pop_front();
  }
}

int64_t FailureLimiter::retryAfter(const std::string& key, int64_t now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) {
    return 0;
  }
  prune(it->second, now);
  if (it->second.size() < maxFailures_) {
    if (it->second.empty()) {
      failures_.erase(it);
    }
    return 0;
  }
  // The window frees a slot when the (size - max + 1)-th oldest failure expires.
  int64_t freesAt = it->second[it->second.size() - maxFailures_] + window_;
  return std::max<int64_t>(freesAt - now, 1);
}

void FailureLimiter::recordFailure(const std::string& key, int64_t now) {
  if (failures_.size() >= maxKeys_ && failures_.find(key) == failures_.end()) {
    evict(now);
  }
  auto& times = failures_[key];
  prune(times, now);
  times.push_back(now);
  // Keep only what the limit needs.
  while (times.size() > maxFailures_) {
    times.pop_front();
  }
}

void FailureLimiter::reset(const std::string& key) { failures_.erase(key); }

void FailureLimiter::forgetLatest(const std::string& key) {
  auto it = failures_.find(key);
  if (it == failures_.end()) {
    return;
  }
  if (!it->second.empty()) {
    it->second.pop_back();
  }
  if (it->second.empty()) {
    failures_.erase(it);
  }
}

void FailureLimiter::evict(int64_t now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    prune(it->second, now);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  // Still full of live keys: drop one; an attacker rotating addresses cannot make the
  // table grow without bound (the global limit still holds for invitation codes).
  if (failures_.size() >= maxKeys_) {
    failures_.erase(failures_.begin());
  }
}

}  // namespace medrtc::clinic
