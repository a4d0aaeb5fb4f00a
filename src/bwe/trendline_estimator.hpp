#pragma once
// Delay-based congestion detection (GoogCC's InterArrival + TrendlineEstimator +
// OveruseDetector, draft-ietf-rmcat-gcc-02 §5): packets are grouped by send time (5 ms
// bursts), and for each pair of groups the change in one-way delay (arrival delta minus
// send delta) is accumulated, smoothed, and fitted with a line over the last 20 groups. A
// rising slope means a queue is building somewhere on the path: overuse. The threshold the
// slope is compared with adapts (fast up, slow down), so a flow competing with TCP is not
// starved, yet a filling tbf or router queue is caught within a few hundred ms.
//
// Packets that arrive in a burst (within 5 ms of the group's last arrival, sooner after it
// than they were sent) join the group being built, as libwebrtc's InterArrival does: a
// receiver whose thread stalled on a busy CPU reads what queued in its socket meanwhile
// and stamps it all at once. Taken group by group, such a stall reads as ~100 ms of one-way
// delay growth and then as a fall, and the slope over the window rose past the threshold:
// on our loaded 2-core machine that threw open-link estimates down to ~600 kbit/s (traced
// in tests/e2e/poor-subscriber.test.mjs, docs/bandwidth-estimation.md). One merged group
// shows what the link did: its packets left over ~100 ms and arrived ~100 ms later.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace medrtc::bwe {

enum class BandwidthUsage : uint8_t { kNormal, kUnderusing, kOverusing };

class TrendlineEstimator {
 public:
  static constexpr int64_t kGroupSpanUs = 5'000;
  static constexpr int64_t kBurstDeltaUs = 5'000;
  static constexpr int64_t kMaxBurstUs = 100'000;
  static constexpr size_t kWindow = 20;
  static constexpr double kSmoothing = 0.9;
  static constexpr double kThresholdGain = 4.0;
  static constexpr double kInitialThresholdMs = 12.5;
  static constexpr double kOverusingTimeMs = 10.0;

  // One received packet, in send order. Times in µs: our send clock and the receiver's
  // arrival clock (only differences are used).
  void onPacket(int64_t sendUs, int64_t arrivalUs);
  // Forgets everything (the arrival timeline restarted).
  void reset();
  BandwidthUsage state() const { return state_; }
  double thresholdMs() const { return thresholdMs_; }
  double modifiedTrend() const { return modifiedTrend_; }

 private:
  struct Group {
    int64_t firstSendUs = 0;
    int64_t lastSendUs = 0;
    int64_t firstArrivalUs = 0;
    int64_t lastArrivalUs = 0;
  };
  bool belongsToBurst(int64_t sendUs, int64_t arrivalUs) const;
  void onGroupDelta(double sendDeltaMs, double arrivalDeltaMs, int64_t arrivalUs);
  void detect(double trend, double sendDeltaMs, int64_t nowUs);
  void updateThreshold(double modifiedTrend, int64_t nowUs);

  std::optional<Group> current_;
  std::optional<Group> previous_;
  size_t deltas_ = 0;
  std::optional<int64_t> firstArrivalUs_;
  double accumulatedDelayMs_ = 0;
  double smoothedDelayMs_ = 0;
  std::deque<std::pair<double, double>> history_;  // (arrival ms since first, smoothed delay ms)
  double previousTrend_ = 0;
  double modifiedTrend_ = 0;
  double thresholdMs_ = kInitialThresholdMs;
  std::optional<int64_t> lastThresholdUpdateUs_;
  double timeOverusingMs_ = -1;
  int overuseCount_ = 0;
  BandwidthUsage state_ = BandwidthUsage::kNormal;
};

}  // namespace medrtc::bwe
