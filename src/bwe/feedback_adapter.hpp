#pragma once
// Turns one transport-cc feedback packet into (sent, arrived, size) samples by matching
// its sequence numbers with the SendHistory (libwebrtc's TransportFeedbackAdapter).
//
// Feedback comes from the network and is checked before the estimator sees it; what fails
// is ignored and counted (Stats), never trusted:
//   - a packet status count above SendHistory::kWindow (the draft allows 65535; we never
//     have that many packets in flight): the whole feedback is ignored;
//   - a reference time that jumps more than kMaxReferenceJump from the previous feedback's:
//     the arrival timeline restarts (timelineReset), the estimator forgets its delay state;
//   - a packet whose arrival is more than kMaxArrivalSpread from the reference time (the
//     deltas sum to something no real feedback interval has): that packet is ignored;
//   - a number that was never sent or has left the history: that packet is ignored.
// Arrival times are on the receiver's clock, unwrapped across the 24-bit reference time.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bwe/send_history.hpp"
#include "rtp/transport_cc.hpp"

namespace medrtc::bwe {

struct PacketResult {
  SentPacket sent;
  std::optional<int64_t> arrivalUs;  // nullopt: reported not received
};

struct TransportFeedback {
  int64_t receivedUs = 0;      // when the feedback reached us (our clock)
  bool timelineReset = false;  // arrival times are not comparable with earlier feedback
  std::vector<PacketResult> packets;  // in sequence order
};

class FeedbackAdapter {
 public:
  static constexpr int64_t kMaxReferenceJumpUs = 30'000'000;
  static constexpr int64_t kMaxArrivalSpreadUs = 10'000'000;

  // Fills `out` (its vector is reused); false when the feedback is ignored as a whole.
  bool adapt(const rtp::TransportCcFeedbackView& feedback, const SendHistory& history, int64_t nowUs,
             TransportFeedback& out);

  struct Stats {
    uint64_t feedbacks = 0;         // accepted
    uint64_t ignoredFeedbacks = 0;  // absurd packet status count
    uint64_t timelineResets = 0;    // reference time jumped
    uint64_t absurdArrivals = 0;    // packets with deltas far outside the interval
    uint64_t unknownPackets = 0;    // numbers never sent or too old
  };
  const Stats& stats() const { return stats_; }

 private:
  std::optional<uint32_t> lastReference_;
  int64_t referenceBaseUs_ = 0;  // unwrapped reference time of the last feedback, µs
  Stats stats_;
};

}  // namespace medrtc::bwe
