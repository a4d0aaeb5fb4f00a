#pragma once
// The delay-based rate (GoogCC's AimdRateControl, draft-ietf-rmcat-gcc-02 §5.5): on
// overuse, down to 85 % of what the receiver actually got (the acknowledged rate); on
// normal, up: 8 %/s while far from the last known link capacity, about one packet per
// response time (RTT + 100 ms) once near it, so the rate creeps towards the point where the
// queue built last time instead of jumping past it; on underuse, hold (the queue drains).
// The rate never grows past 1.5 × the acknowledged rate + 10 kbit/s: without sending more,
// there is no evidence for more (probing, bwe::ProbeController, provides that evidence).
#include <cstdint>
#include <optional>

#include "bwe/trendline_estimator.hpp"

namespace medrtc::bwe {

class AimdRateControl {
 public:
  static constexpr double kBeta = 0.85;

  AimdRateControl(uint64_t startBps, uint64_t minBps, uint64_t maxBps)
      : rateBps_(startBps), minBps_(minBps), maxBps_(maxBps) {}

  // One step per feedback: `ackedBps` is the receive rate of the last ~500 ms (nullopt
  // until known).
  void update(BandwidthUsage usage, std::optional<uint64_t> ackedBps, int64_t nowUs);
  // A probe proved the path carries `bps`: take it, unless a queue is building right now.
  void onProbeResult(uint64_t bps, BandwidthUsage usage);
  void setRtt(int64_t rttUs) { rttUs_ = rttUs; }
  void setMaxBps(uint64_t maxBps) { maxBps_ = maxBps; }

  uint64_t rateBps() const { return rateBps_; }
  std::optional<int64_t> lastDecreaseUs() const { return lastDecreaseUs_; }
  std::optional<uint64_t> linkCapacityBps() const { return linkCapacityBps_; }

 private:
  enum class State { kHold, kIncrease, kDecrease };
  uint64_t clamp(uint64_t bps) const;

  uint64_t rateBps_;
  uint64_t minBps_;
  uint64_t maxBps_;
  State state_ = State::kIncrease;
  std::optional<int64_t> lastUpdateUs_;
  std::optional<int64_t> lastDecreaseUs_;
  std::optional<uint64_t> linkCapacityBps_;  // acknowledged rate at the last overuse
  int64_t rttUs_ = 100'000;
};

}  // namespace medrtc::bwe
