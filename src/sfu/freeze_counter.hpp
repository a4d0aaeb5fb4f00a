#pragma once
// Video freezes as the W3C webrtc-stats define freezeCount (RTCInboundRtpStreamStats): a
// gap between two frames of at least max(3 × the average frame duration, the average +
// 150 ms). Counted by the SFU on the frames it forwards to one subscriber, so a freeze the
// server caused or passed on shows without asking the browser.
#include <array>
#include <cstdint>

#include "common/clock.hpp"

namespace medrtc::sfu {

class FreezeCounter {
 public:
  // The last packet of a frame (RTP marker bit on video, RFC 3551 §4.1) left at `now`.
  void onFrame(Micros now);
  uint32_t freezes() const { return freezes_; }

 private:
  // Chromium averages the last 30 inter-frame delays; fewer than this many say nothing yet.
  static constexpr size_t kWindow = 30;
  static constexpr size_t kMinFrames = 5;

  bool started_ = false;
  Micros lastFrame_{0};
  std::array<int64_t, kWindow> delays_{};
  size_t next_ = 0;
  size_t count_ = 0;
  int64_t sum_ = 0;
  uint32_t freezes_ = 0;
};

}  // namespace medrtc::sfu
