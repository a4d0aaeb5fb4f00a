#pragma once
// 16-bit RTP / transport-wide sequence numbers: wraparound-aware comparison and unwrapping
// into a monotonic 64-bit space (RFC 3550 Appendix A.1 keeps a cycle count the same way).
#include <cstdint>

namespace medrtc::rtp {

// True if `a` comes after `b` modulo 2^16. Exactly half a cycle apart is ambiguous; like
// libwebrtc we break the tie by the raw value so that the relation stays antisymmetric.
inline bool isNewerSequenceNumber(uint16_t a, uint16_t b) {
  const auto diff = static_cast<uint16_t>(a - b);
  if (diff == 0x8000) {
    return a > b;
  }
  return diff != 0 && diff < 0x8000;
}

// Signed distance from `b` to `a` in the shortest direction: a - b in [-32768, 32767].
inline int32_t sequenceNumberDelta(uint16_t a, uint16_t b) { return static_cast<int16_t>(static_cast<uint16_t>(a - b)); }

// Maps 16-bit sequence numbers to int64 so that later packets get larger values, even
// across wraparound and with reordering of less than half a cycle.
class SequenceNumberUnwrapper {
 public:
  int64_t unwrap(uint16_t value) {
    if (!started_) {
      started_ = true;
      last_ = value;
      return last_;
    }
    last_ += sequenceNumberDelta(value, static_cast<uint16_t>(last_));
    return last_;
  }
  // Like unwrap() but does not move the reference point (for peeking at a value).
  int64_t peek(uint16_t value) const {
    if (!started_) {
      return value;
    }
    return last_ + sequenceNumberDelta(value, static_cast<uint16_t>(last_));
  }
  bool started() const { return started_; }

 private:
  bool started_ = false;
  int64_t last_ = 0;
};

}  // namespace medrtc::rtp
