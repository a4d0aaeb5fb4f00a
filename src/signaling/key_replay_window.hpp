#pragma once
// docs/protocol.md `e2ee_replayed`: the digests of the last key messages one sender had
// relayed, so an exact repeat (a captured blob sent again, by a buggy or hostile client)
// is refused instead of relayed. The receivers' own counters are the real replay defence
// (docs/e2ee.md); this keeps the server from amplifying a replay.
#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "compliance/sha256.hpp"

namespace medrtc::signaling {

class KeyReplayWindow {
 public:
  // docs/protocol.md: the last 256 key messages per sender (8 KiB of digests).
  static constexpr size_t kCapacity = 256;

  bool seen(std::string_view ciphertext) const {
    compliance::Hash h = compliance::sha256(ciphertext);
    for (const compliance::Hash& d : digests_) {
      if (d == h) {
        return true;
      }
    }
    return false;
  }
  // Remembers `ciphertext`, forgetting the oldest once kCapacity are kept.
  void remember(std::string_view ciphertext) {
    compliance::Hash h = compliance::sha256(ciphertext);
    if (digests_.size() < kCapacity) {
      digests_.push_back(h);
    } else {
      digests_[next_] = h;
    }
    next_ = (next_ + 1) % kCapacity;
  }

 private:
  std::vector<compliance::Hash> digests_;  // a ring once full; `next_` is the oldest
  size_t next_ = 0;
};

}  // namespace medrtc::signaling
