#include "signaling/probe_budget.hpp"

#include <algorithm>

namespace medrtc::signaling {

void ProbeBudget::prune(std::unordered_map<std::string, std::deque<Micros>>& map, Micros since) {
  for (auto it = map.begin(); it != map.end();) {
    auto& times = it->second;
    while (!times.empty() && times.front() <= since) {
      times.pop_front();
    }
    it = times.empty() ? map.erase(it) : std::next(it);
  }
}

void ProbeBudget::prune(Micros now) {
  while (!node_.empty() && node_.front() <= now - limits_.lifetime) {
    node_.pop_front();
  }
  // The maps are walked only when they grew: a steady trickle of checks costs nothing.
  if (byAddress_.size() + bySubject_.size() > 64) {
    prune(byAddress_, now - limits_.addressWindow);
    prune(bySubject_, now - limits_.lifetime);
  }
}

int64_t ProbeBudget::secondsUntil(Micros when, Micros now) const {
  auto left = std::chrono::duration_cast<std::chrono::seconds>(when - now + std::chrono::microseconds(999'999));
  return std::max<int64_t>(1, left.count());
}

std::optional<ProbeBudget::Refusal> ProbeBudget::take(const std::string& subject, const std::string& address,
                                                      Micros now) {
  prune(now);
  auto recent = [now](std::deque<Micros>& times, Micros window) {
    while (!times.empty() && times.front() <= now - window) {
      times.pop_front();
    }
    return times.size();
  };
  if (node_.size() >= limits_.perNode) {
    return Refusal{Bound::kNode, secondsUntil(node_.front() + limits_.lifetime, now)};
  }
  auto& byAddress = byAddress_[address];
  if (recent(byAddress, limits_.addressWindow) >= limits_.perAddress) {
    return Refusal{Bound::kAddress, secondsUntil(byAddress.front() + limits_.addressWindow, now)};
  }
  auto& bySubject = bySubject_[subject];
  if (recent(bySubject, limits_.lifetime) >= limits_.perSubject) {
    return Refusal{Bound::kSubject, secondsUntil(bySubject.front() + limits_.lifetime, now)};
  }
  if (byAddress_.size() + bySubject_.size() > limits_.maxKeys) {
    // Many distinct keys within one window: the node bound still holds, and forgetting
    // old keys is the lesser harm than growing without end.
    prune(byAddress_, now - limits_.addressWindow);
    prune(bySubject_, now - limits_.lifetime);
    if (byAddress_.size() + bySubject_.size() > limits_.maxKeys) {
      return Refusal{Bound::kNode, secondsUntil(node_.empty() ? now : node_.front() + limits_.lifetime, now)};
    }
  }
  byAddress_[address].push_back(now);
  bySubject_[subject].push_back(now);
  node_.push_back(now);
  return std::nullopt;
}

size_t ProbeBudget::live(Micros now) {
  prune(now);
  return node_.size();
}

}  // namespace medrtc::signaling
