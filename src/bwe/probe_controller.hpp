#pragma once
// Probing (GoogCC's ProbeController and ProbeBitrateEstimator, simplified): when the
// subscriber could use more than the estimate allows, the SFU sends a short cluster at a
// higher rate (media plus padding to fill it up, sent by the caller) and measures what
// came through, by the receiver's arrival times. Without it the estimate could never grow
// past 1.5 × what is being sent, and a subscriber held on a low layer by the estimate
// would stay there.
//
// When: an initial probe right after the first feedback; then, while more is wanted than
// the estimate and no queue is building, one every kRetryUs; a probe that got through
// (≥ 90 % of its rate) is followed at once by one at twice the rate, so a link that
// recovered is found within a few round trips (60 kbit/s → 2 Mbit/s in five steps).
// Result: a probe whose packets arrived at ≥ 90 % of its rate (and lost ≤ 20 %) proves
// that rate; one that fell short proves nothing and is dropped (the delay and loss
// estimators already see the queue it built). Probes last 500 ms: a shaper's token bucket
// (tbf's burst, 16 kB in our tests) lets a short burst through at line rate, and a 100 ms
// probe would "prove" a rate the link cannot carry.
#include <cstdint>
#include <optional>

namespace medrtc::bwe {

struct ProbeCluster {
  int32_t id = 0;
  uint64_t bps = 0;
  int64_t startUs = 0;
  int64_t durationUs = 0;
};

class ProbeController {
 public:
  static constexpr int64_t kDurationUs = 500'000;
  static constexpr int64_t kRetryUs = 3'000'000;
  static constexpr int64_t kResultTimeoutUs = 1'500'000;
  static constexpr uint32_t kMinPackets = 5;

  // A new cluster to send now, or nullopt. `estimateBps`: the estimate; `wantedBps`: what
  // the subscriber's allocation could use; `overusing`: a queue is building; `lossy`: the
  // last loss window was over 2 % (a full link: probing would only add to the loss).
  std::optional<ProbeCluster> maybeStart(uint64_t estimateBps, uint64_t wantedBps, uint64_t maxBps, bool overusing,
                                         bool lossy, int64_t nowUs);
  // The caller stopped sending the cluster; `endSequence`: the unwrapped transport number
  // of the first packet after it.
  void onClusterSent(int32_t id, int64_t endSequence);
  // A reported packet of a cluster (arrival nullopt: lost).
  void onPacket(int32_t cluster, int64_t sequence, int64_t sendUs, std::optional<int64_t> arrivalUs, uint32_t size);
  // After each feedback: the result of a cluster whose packets have all been reported.
  std::optional<uint64_t> takeResult(int64_t highestReportedSequence, int64_t nowUs);
  bool probing() const { return active_.has_value(); }

 private:
  struct Measure {
    ProbeCluster cluster;
    std::optional<int64_t> endSequence;
    uint32_t received = 0;
    uint32_t lost = 0;
    int64_t firstSendUs = 0, lastSendUs = 0;
    int64_t firstArrivalUs = 0, lastArrivalUs = 0;
    uint64_t bytes = 0;
    uint32_t firstSize = 0;
  };
  std::optional<Measure> active_;
  int32_t nextId_ = 1;
  bool initialDone_ = false;
  std::optional<int64_t> lastProbeUs_;
  std::optional<uint64_t> followUpBps_;  // the last probe succeeded: try twice its rate next
};

}  // namespace medrtc::bwe
