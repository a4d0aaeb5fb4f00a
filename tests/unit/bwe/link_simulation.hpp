#pragma once
// A sender, a bottleneck and a transport-cc receiver in simulated time, for the estimator's
// tests. The sender sends what the estimate allows (up to `wantedBps`, like the allocator
// picking layers) in 1200-byte packets every 10 ms, pads up to the rate of a probe cluster
// while one runs, and numbers everything in a SendHistory. The bottleneck is a tbf-like
// queue: `capacityBps`, a queue of at most `maxQueueUs` (beyond it packets are dropped),
// random loss, and 20 ms of propagation. The receiver writes feedback every 50 ms with the
// real TransportCcFeedbackWriter, and the estimator reads it through the real parser.
// Optionally the receiver's thread stalls (`receiverStallUs` every `receiverStallPeriodUs`,
// a browser on a busy CPU): what arrives meanwhile is stamped when the stall ends, as
// Chromium stamps packets when it reads them from its socket.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "bwe/send_side_estimator.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/transport_cc.hpp"

namespace medrtc::bwe::test {

class LinkSimulation {
 public:
  uint64_t capacityBps = 5'000'000;
  int64_t maxQueueUs = 300'000;
  double lossFraction = 0;
  uint64_t wantedBps = 2'000'000;
  int64_t receiverStallPeriodUs = 0;  // 0: never stalls
  int64_t receiverStallUs = 0;

  explicit LinkSimulation(EstimatorConfig config = {}) : estimator(config) {}

  // Runs for `seconds`; calls f(nowUs) after every 10 ms step if given.
  template <typename F>
  void run(double seconds, F&& f) {
    int64_t end = now_ + static_cast<int64_t>(seconds * 1e6);
    while (now_ < end) {
      step();
      f(now_);
    }
  }
  void run(double seconds) {
    run(seconds, [](int64_t) {});
  }

  int64_t now() const { return now_; }
  uint64_t sentBps() const { return lastSentBps_; }

  SendSideEstimator estimator;
  SendHistory history;
  uint32_t probesStarted = 0;

 private:
  static constexpr int64_t kStepUs = 10'000;
  static constexpr int64_t kPropagationUs = 20'000;
  static constexpr int64_t kReceiverClockOffsetUs = 7'000'000;  // another clock

  void send(uint32_t size, int32_t cluster) {
    history.add(now_, size, cluster);
    int64_t seq = static_cast<int64_t>(history.packetsSent()) - 1;
    int64_t start = std::max(now_, linkFreeAt_);
    std::optional<int64_t> arrival;
    if (start - now_ <= maxQueueUs && !(lossFraction > 0 && uniform_(rng_) < lossFraction)) {
      int64_t departure = start + static_cast<int64_t>(size) * 8 * 1'000'000 / static_cast<int64_t>(capacityBps);
      linkFreeAt_ = departure;
      arrival = stamped(departure + kPropagationUs) + kReceiverClockOffsetUs;
    }
    arrivals_.push_back({seq, arrival});
  }

  // When the receiver reads a packet that reached its socket at `arrivalUs`.
  int64_t stamped(int64_t arrivalUs) const {
    if (receiverStallPeriodUs <= 0) {
      return arrivalUs;
    }
    int64_t stallStart = arrivalUs / receiverStallPeriodUs * receiverStallPeriodUs;
    return arrivalUs < stallStart + receiverStallUs ? stallStart + receiverStallUs : arrivalUs;
  }

  void step() {
    now_ += kStepUs;
    estimator.setWantedBps(wantedBps);
    if (!cluster_) {
      if (auto c = estimator.maybeStartProbe(now_)) {
        cluster_ = c;
        clusterBytes_ = 0;
        ++probesStarted;
      }
    }
    uint64_t rate = std::min(estimator.estimateBps(), wantedBps);
    mediaCredit_ += static_cast<double>(rate) * kStepUs / 8e6;
    uint64_t bytes = 0;
    int32_t clusterId = cluster_ ? cluster_->id : -1;
    while (mediaCredit_ >= 1200) {
      mediaCredit_ -= 1200;
      send(1200, clusterId);
      bytes += 1200;
      clusterBytes_ += 1200;
    }
    if (cluster_) {
      // Pad up to the cluster's rate for the next step, as the participant does per tick.
      double due = static_cast<double>(cluster_->bps) * static_cast<double>(now_ + kStepUs - cluster_->startUs) / 8e6;
      while (static_cast<double>(clusterBytes_) < due) {
        send(250, clusterId);
        clusterBytes_ += 250;
        bytes += 250;
      }
      if (now_ + kStepUs - cluster_->startUs >= cluster_->durationUs) {
        estimator.onProbeSent(cluster_->id, static_cast<int64_t>(history.packetsSent()));
        cluster_.reset();
      }
    }
    lastSentBps_ = bytes * 8 * 1'000'000 / kStepUs;
    if (now_ % 50'000 == 0) {
      feedback();
    }
  }

  // Reports every packet that has arrived by now (and the lost ones before it).
  void feedback() {
    int64_t receiverNow = now_ + kReceiverClockOffsetUs;
    size_t count = 0;
    while (count < arrivals_.size() && (!arrivals_[count].arrival || *arrivals_[count].arrival <= receiverNow)) {
      ++count;
    }
    // Trailing losses wait for a later packet, as a real receiver cannot know them yet.
    while (count > 0 && !arrivals_[count - 1].arrival) {
      --count;
    }
    if (count == 0) {
      return;
    }
    size_t first = 0;
    while (!arrivals_[first].arrival) {
      ++first;
    }
    rtp::TransportCcFeedbackWriter writer;
    writer.reset(static_cast<uint16_t>(arrivals_[0].seq), *arrivals_[first].arrival, feedbackCount_++);
    size_t i = 0;
    for (; i < count; ++i) {
      if (arrivals_[i].arrival && !writer.addReceivedPacket(static_cast<uint16_t>(arrivals_[i].seq),
                                                            *arrivals_[i].arrival)) {
        break;  // the rest goes in the next feedback
      }
    }
    std::array<uint8_t, 1500> buffer{};
    size_t n = writer.write(buffer, 1, 2);
    if (n == 0) {
      return;
    }
    // Packets covered: up to the last one the writer took.
    size_t covered = i;
    while (covered > 0 && !arrivals_[covered - 1].arrival) {
      --covered;
    }
    arrivals_.erase(arrivals_.begin(), arrivals_.begin() + static_cast<std::ptrdiff_t>(covered));
    auto compound = rtp::RtcpCompoundView::parse(ByteView(buffer.data(), n));
    auto view = rtp::TransportCcFeedbackView::parse(*compound->begin());
    estimator.onFeedback(*view, history, now_ + 10'000);
  }

  struct Arrival {
    int64_t seq;
    std::optional<int64_t> arrival;
  };
  int64_t now_ = 1'000'000;
  int64_t linkFreeAt_ = 0;
  double mediaCredit_ = 0;
  std::optional<ProbeCluster> cluster_;
  uint64_t clusterBytes_ = 0;
  uint64_t lastSentBps_ = 0;
  uint8_t feedbackCount_ = 0;
  std::vector<Arrival> arrivals_;
  std::mt19937 rng_{12345};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

}  // namespace medrtc::bwe::test
