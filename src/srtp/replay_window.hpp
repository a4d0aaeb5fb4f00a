#pragma once
// The receiver's replay list (RFC 3711 §3.3.2) for one SSRC: the highest index accepted and
// a bitmap of the kSize indices at and below it. kSize is 1024, not the RFC's minimum 64:
// a video keyframe is hundreds of packets and arrives reordered, and a 64-packet window
// drops late but genuine packets as too old (libwebrtc uses 1024 for the same reason).
// The semantics match libsrtp's srtp_rdbx (the cross-check tests rely on it): a fresh
// window has highest index 0 with nothing seen, so index 0 itself is accepted once.
#include <cstddef>
#include <cstdint>

namespace medrtc::srtp {

enum class ReplayCheck { kFresh, kSeen, kTooOld };

class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 1024;

  uint64_t highest() const { return highest_; }

  ReplayCheck check(uint64_t index) const {
    if (index > highest_) {
      return ReplayCheck::kFresh;
    }
    uint64_t behind = highest_ - index;
    if (behind >= kSize) {
      return ReplayCheck::kTooOld;
    }
    return (words_[behind / 64] >> (behind % 64)) & 1 ? ReplayCheck::kSeen : ReplayCheck::kFresh;
  }

  // Records index as seen; call only after check() said kFresh and the packet authenticated.
  void accept(uint64_t index) {
    if (index > highest_) {
      shift(index - highest_);
      highest_ = index;
    }
    uint64_t behind = highest_ - index;
    words_[behind / 64] |= uint64_t{1} << (behind % 64);
  }

  // Moves the highest index forward without marking anything (the sender's ROC tracking).
  void advance(uint64_t index) {
    if (index > highest_) {
      shift(index - highest_);
      highest_ = index;
    }
  }

 private:
  static constexpr size_t kWords = kSize / 64;

  // Bit i stands for index highest_ - i; advancing by n moves every bit n places up.
  void shift(uint64_t n) {
    if (n >= kSize) {
      for (auto& w : words_) {
        w = 0;
      }
      return;
    }
    const size_t wordShift = static_cast<size_t>(n / 64);
    const unsigned bitShift = static_cast<unsigned>(n % 64);
    for (size_t i = kWords; i-- > 0;) {
      uint64_t v = 0;
      if (i >= wordShift) {
        v = words_[i - wordShift] << bitShift;
        if (bitShift != 0 && i > wordShift) {
          v |= words_[i - wordShift - 1] >> (64 - bitShift);
        }
      }
      words_[i] = v;
    }
  }

  uint64_t highest_ = 0;
  uint64_t words_[kWords] = {};
};

}  // namespace medrtc::srtp
