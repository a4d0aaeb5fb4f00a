#pragma once
// What the receiver actually got, by its own arrival clock: bytes of the packets that
// arrived in the last 500 ms (libwebrtc's AcknowledgedBitrateEstimator, without the
// Bayesian smoothing). It is the basis of every decrease: after overuse the rate goes to
// 85 % of this, not of what we were sending.
#include <cstdint>
#include <deque>
#include <optional>

namespace medrtc::bwe {

class AckedBitrate {
 public:
  static constexpr int64_t kWindowUs = 500'000;
  static constexpr int64_t kMinSpanUs = 150'000;

  void onPacket(int64_t arrivalUs, uint32_t size);
  void reset() { packets_.clear(); bytes_ = 0; }
  // nullopt until the packets span kMinSpanUs.
  std::optional<uint64_t> bps() const;

 private:
  std::deque<std::pair<int64_t, uint32_t>> packets_;
  uint64_t bytes_ = 0;
};

}  // namespace medrtc::bwe
