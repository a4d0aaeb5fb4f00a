#include "sfu/nack_generator.hpp"

#include <algorithm>

namespace medrtc::sfu {

NackGenerator::Outcome NackGenerator::onPacket(uint16_t sequenceNumber, bool retransmission, Micros now) {
  int64_t seq = unwrapper_.unwrap(sequenceNumber);
  if (!started_) {
    started_ = true;
    highest_ = seq;
    return Outcome::kInOrder;
  }
  if (seq > highest_) {
    int64_t gap = seq - highest_ - 1;
    if (gap > static_cast<int64_t>(kMaxGap)) {
      stats_.abandoned += pending_.size();
      pending_.clear();
      highest_ = seq;
      return Outcome::kGapTooWide;
    }
    for (int64_t missing = highest_ + 1; missing < seq; ++missing) {
      if (pending_.size() >= kMaxPending) {
        ++stats_.abandoned;
        pending_.erase(pending_.begin());
      }
      pending_.push_back(Missing{missing, now, Micros{0}, 0});
    }
    highest_ = seq;
    return Outcome::kInOrder;
  }
  auto it = std::lower_bound(pending_.begin(), pending_.end(), seq,
                             [](const Missing& m, int64_t s) { return m.sequence < s; });
  if (it == pending_.end() || it->sequence != seq) {
    return Outcome::kDuplicate;
  }
  if (retransmission && it->retries > 0) {
    // RTT sample: our last NACK for it to its arrival. RFC 6298-style smoothing (1/8).
    Micros sample = now - it->lastSentAt;
    if (sample.count() > 0) {
      roundTrip_ = haveRoundTrip_ ? Micros((roundTrip_.count() * 7 + sample.count()) / 8) : sample;
      haveRoundTrip_ = true;
    }
  }
  pending_.erase(it);
  ++stats_.recovered;
  return Outcome::kRecovered;
}

void NackGenerator::collect(Micros now, std::vector<uint16_t>& out, size_t limit) {
  Micros interval = std::max(roundTrip_, kMinRetryInterval);
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->retries >= kMaxRetries || now - it->detectedAt > kMaxAge) {
      ++stats_.abandoned;
      it = pending_.erase(it);
      continue;
    }
    if (out.size() < limit && (it->retries == 0 || now - it->lastSentAt >= interval)) {
      out.push_back(static_cast<uint16_t>(it->sequence & 0xFFFF));
      it->lastSentAt = now;
      ++it->retries;
      ++stats_.requested;
    }
    ++it;
  }
}

}  // namespace medrtc::sfu
