#include "bwe/probe_controller.hpp"

#include <algorithm>

namespace medrtc::bwe {

std::optional<ProbeCluster> ProbeController::maybeStart(uint64_t estimateBps, uint64_t wantedBps, uint64_t maxBps,
                                                        bool overusing, bool lossy, int64_t nowUs) {
  if (active_ || overusing || lossy) {
    return std::nullopt;
  }
  uint64_t bps = 0;
  if (!initialDone_) {
    initialDone_ = true;
    bps = std::max(wantedBps, estimateBps * 5 / 2);
  } else if (wantedBps > estimateBps) {
    // Any shortfall, not only a large one: the allocator gives a layer only when the
    // estimate covers all of it, and the lower layer sent meanwhile cannot raise the
    // estimate past 1.5 × itself (AimdRateControl). An estimate a few percent below the top
    // layer's need held a subscriber on a lower layer for 10 s more after a cap was lifted
    // (tests/e2e/bwe-switch-up.test.mjs, docs/bandwidth-estimation.md).
    if (followUpBps_) {
      bps = *followUpBps_;
    } else if (!lastProbeUs_ || nowUs - *lastProbeUs_ >= kRetryUs) {
      bps = estimateBps * 2;
    }
    // Above the need proves it fits, by half as much again: a probe only a little above a
    // shaper's rate gets through on its burst (tbf's 16 kB: 700 kbit/s into 500 kbit/s
    // queues nothing for 640 ms, longer than a probe) and "proves" what the link cannot
    // carry. Under a 500 kbit/s cap a 698 kbit/s probe (1.2 × a Firefox subscriber's need,
    // his 720p layer at 510 kbit/s plus audio) did, and the allocator gave him the 720p
    // layer under the cap (issue 12, tests/e2e/firefox-simulcast.test.mjs).
    bps = std::min(bps, wantedBps * 3 / 2);
  }
  followUpBps_.reset();
  bps = std::min(bps, maxBps);
  if (bps <= estimateBps) {
    return std::nullopt;
  }
  ProbeCluster cluster{nextId_++, bps, nowUs, kDurationUs};
  Measure measure;
  measure.cluster = cluster;
  active_ = measure;
  lastProbeUs_ = nowUs;
  return cluster;
}

void ProbeController::onClusterSent(int32_t id, int64_t endSequence) {
  if (active_ && active_->cluster.id == id) {
    active_->endSequence = endSequence;
  }
}

void ProbeController::onPacket(int32_t cluster, int64_t, int64_t sendUs, std::optional<int64_t> arrivalUs,
                               uint32_t size) {
  if (!active_ || active_->cluster.id != cluster) {
    return;
  }
  Measure& m = *active_;
  if (!arrivalUs) {
    ++m.lost;
    return;
  }
  if (m.received == 0) {
    m.firstSendUs = m.lastSendUs = sendUs;
    m.firstArrivalUs = m.lastArrivalUs = *arrivalUs;
    m.firstSize = size;
  } else {
    m.firstSendUs = std::min(m.firstSendUs, sendUs);
    m.lastSendUs = std::max(m.lastSendUs, sendUs);
    m.firstArrivalUs = std::min(m.firstArrivalUs, *arrivalUs);
    m.lastArrivalUs = std::max(m.lastArrivalUs, *arrivalUs);
  }
  m.bytes += size;
  ++m.received;
}

std::optional<uint64_t> ProbeController::takeResult(int64_t highestReportedSequence, int64_t nowUs) {
  if (!active_) {
    return std::nullopt;
  }
  Measure& m = *active_;
  bool complete = m.endSequence && highestReportedSequence >= *m.endSequence - 1;
  if (!complete) {
    if (nowUs - m.cluster.startUs > kResultTimeoutUs) {
      active_.reset();  // its feedback never came: no result, retry later
    }
    return std::nullopt;
  }
  uint64_t target = m.cluster.bps;
  std::optional<uint64_t> result;
  int64_t arrivalSpan = m.lastArrivalUs - m.firstArrivalUs;
  if (m.received >= kMinPackets && arrivalSpan > 0) {
    uint64_t receiveBps = (m.bytes - m.firstSize) * 8 * 1'000'000 / static_cast<uint64_t>(arrivalSpan);
    // The padding goes out in bursts per tick: the rate it was meant to go at is the send
    // rate, so it caps the result.
    bool arrivedAtRate = receiveBps * 10 >= target * 9;
    bool fewLost = m.lost * 5 <= m.received + m.lost;
    if (arrivedAtRate && fewLost) {
      result = target;
      followUpBps_ = target * 2;
    }
  }
  active_.reset();
  return result;
}

}  // namespace medrtc::bwe
