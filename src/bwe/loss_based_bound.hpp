#pragma once
// The loss-based bound on the estimate (GoogCC's SendSideBandwidthEstimation, loss part;
// draft-ietf-rmcat-gcc-02 §6): loss is measured over at least 20 reported packets. Above
// 10 % the bound drops to rate × (1 − loss / 2), at most once per RTT + 300 ms; under 2 %
// it grows by 8 %/s, and after 3 s without loss it no longer limits (delay then rules,
// which reacts before loss on a queueing link). Between 2 and 10 % it holds: some random
// loss (Wi-Fi, mobile) is no sign of congestion and NACK/RTX repairs it.
#include <cstdint>
#include <optional>

namespace medrtc::bwe {

class LossBasedBound {
 public:
  static constexpr uint32_t kMinPackets = 20;
  static constexpr double kHighLoss = 0.10;
  static constexpr double kLowLoss = 0.02;
  static constexpr int64_t kClearAfterUs = 3'000'000;
  // Loss in the first seconds of a subscription is no measure of the link: the browser
  // may still be choosing its ICE pair (packets to the other one are reported lost) and
  // every track starts with a keyframe burst. Measured in Chromium through a namespace:
  // 60-90 % reported loss for ~3 s on an uncapped veth. Delay still counts meanwhile.
  static constexpr int64_t kStartupUs = 4'000'000;

  // Packets reported by one feedback. `currentBps` is the estimate in force now.
  void onPackets(uint32_t received, uint32_t lost, uint64_t currentBps, int64_t nowUs);
  // A probe got through at `bps` with low loss: the bound follows.
  void onProbeResult(uint64_t bps);
  void setRtt(int64_t rttUs) { rttUs_ = rttUs; }

  // nullopt: no limit.
  std::optional<uint64_t> boundBps() const { return bound_; }
  // The loss fraction of the last complete window (0..1).
  double lastLoss() const { return lastLoss_; }

 private:
  std::optional<int64_t> firstUs_;
  uint32_t received_ = 0;
  uint32_t lost_ = 0;
  std::optional<uint64_t> bound_;
  std::optional<int64_t> lastDecreaseUs_;
  std::optional<int64_t> lastUpdateUs_;
  std::optional<int64_t> lossFreeSinceUs_;
  double lastLoss_ = 0;
  int64_t rttUs_ = 100'000;
};

}  // namespace medrtc::bwe
