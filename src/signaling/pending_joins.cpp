#include "signaling/pending_joins.hpp"

#include <algorithm>

namespace medrtc::signaling {

size_t PendingJoins::countFor(const std::string& address) const {
  auto it = perAddress_.find(address);
  return it == perAddress_.end() ? 0 : it->second;
}

std::vector<PendingJoins::Id> PendingJoins::add(Id id, const std::string& address) {
  std::vector<Id> displaced;
  size_t perAddress = std::max<size_t>(limits_.perAddress, 1);
  size_t total = std::max<size_t>(limits_.total, 1);
  // The scans below walk at most `total` entries, and only when a cap is reached.
  if (!address.empty()) {
    for (auto it = byAge_.begin(); it != byAge_.end() && countFor(address) >= perAddress;) {
      if (it->second == address) {
        displaced.push_back(it->first);
        Id gone = it->first;
        ++it;
        remove(gone);
      } else {
        ++it;
      }
    }
  }
  while (byAge_.size() >= total) {
    displaced.push_back(byAge_.begin()->first);
    remove(byAge_.begin()->first);
  }
  byAge_.emplace(id, address);
  if (!address.empty()) {
    ++perAddress_[address];
  }
  return displaced;
}

void PendingJoins::remove(Id id) {
  auto it = byAge_.find(id);
  if (it == byAge_.end()) {
    return;
  }
  if (!it->second.empty()) {
    auto count = perAddress_.find(it->second);
    if (count != perAddress_.end() && --count->second == 0) {
      perAddress_.erase(count);  // the table holds only addresses with a pending socket
    }
  }
  byAge_.erase(it);
}

}  // namespace medrtc::signaling
