#pragma once
// NACK generation toward a publisher (RFC 4585 §6.2.1) for one receive stream, as
// libwebrtc's NackModule and mediasoup's NackGenerator do: a gap in the sequence numbers
// puts the missing numbers on a list; each is asked for again once a round trip has
// passed without it (so a retransmission under way is not asked for twice), at most
// kMaxRetries times, and forgotten when it arrives (reordered or retransmitted), when it
// is older than kMaxAge, or when the list overflows. A gap wider than kMaxGap is not worth
// NACKing (the packets are gone from the sender's history too): the caller asks for a
// keyframe instead.
//
// The round trip is measured from our own NACKs: the time from a NACK to the
// retransmission it asked for (RFC 4588 RTX), smoothed; 100 ms until the first one.
#include <cstdint>
#include <span>
#include <vector>

#include "common/clock.hpp"
#include "rtp/sequence_number.hpp"

namespace medrtc::sfu {

class NackGenerator {
 public:
  static constexpr size_t kMaxGap = 256;
  static constexpr size_t kMaxPending = 512;
  static constexpr int kMaxRetries = 10;
  static constexpr Micros kMaxAge{1'000'000};
  static constexpr Micros kDefaultRoundTrip{100'000};
  static constexpr Micros kMinRetryInterval{10'000};

  enum class Outcome { kInOrder, kRecovered, kGapTooWide, kDuplicate };
  // A media packet arrived; `retransmission` when it came unwrapped from RTX.
  Outcome onPacket(uint16_t sequenceNumber, bool retransmission, Micros now);
  // The sequence numbers to NACK now (appended to `out`, at most `limit`).
  void collect(Micros now, std::vector<uint16_t>& out, size_t limit);

  Micros roundTrip() const { return roundTrip_; }
  size_t pending() const { return pending_.size(); }

  struct Stats {
    uint64_t requested = 0;   // sequence numbers put in NACKs, retries included
    uint64_t recovered = 0;   // missing packets that arrived afterwards
    uint64_t abandoned = 0;   // given up: too many retries, too old, or list full
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Missing {
    int64_t sequence;  // unwrapped
    Micros detectedAt;
    Micros lastSentAt;
    int retries;
  };

  rtp::SequenceNumberUnwrapper unwrapper_;
  bool started_ = false;
  int64_t highest_ = 0;
  std::vector<Missing> pending_;  // ascending by sequence
  Micros roundTrip_ = kDefaultRoundTrip;
  bool haveRoundTrip_ = false;
  Stats stats_;
};

}  // namespace medrtc::sfu
