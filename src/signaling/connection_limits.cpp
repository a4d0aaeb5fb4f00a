#include "signaling/connection_limits.hpp"

#include <algorithm>

namespace medrtc::signaling {

bool ConnectionTable::fullFor(const std::string& address) const {
  auto it = perAddress_.find(address);
  return it != perAddress_.end() && it->second >= limits_.maxPerAddress;
}

ConnectionTable::Slot ConnectionTable::take(const std::string& address) {
  ++total_;
  ++perAddress_[address];
  return Slot(this, address);
}

void ConnectionTable::give(const std::string& address) {
  if (total_ > 0) {
    --total_;
  }
  auto it = perAddress_.find(address);
  if (it != perAddress_.end() && --it->second == 0) {
    perAddress_.erase(it);  // the table holds only live addresses
  }
}

ConnectionTable::Slot& ConnectionTable::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    table_ = other.table_;
    address_ = std::move(other.address_);
    other.table_ = nullptr;
  }
  return *this;
}

void ConnectionTable::Slot::release() {
  if (table_ != nullptr) {
    table_->give(address_);
    table_ = nullptr;
  }
}

std::chrono::milliseconds AcceptBackoff::failed() {
  auto now = next_;
  next_ = std::min(next_ * 2, max_);
  return now;
}

bool LogThrottle::allow(std::chrono::steady_clock::time_point now, uint64_t& suppressed) {
  if (any_ && now - last_ < interval_) {
    ++suppressed_;
    return false;
  }
  any_ = true;
  last_ = now;
  suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace medrtc::signaling
