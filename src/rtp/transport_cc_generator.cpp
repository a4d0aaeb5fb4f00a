#include "rtp/transport_cc_generator.hpp"

#include <algorithm>

namespace medrtc::rtp {

TransportCcFeedbackGenerator::TransportCcFeedbackGenerator(size_t maxPacketSize) : writer_(maxPacketSize) {
  arrivals_.fill(kNotReceived);
}

void TransportCcFeedbackGenerator::clear(int64_t from, int64_t to) {
  // Clearing more than the ring holds would only repeat itself.
  from = std::max(from, to - static_cast<int64_t>(kWindow));
  for (int64_t s = from; s < to; ++s) {
    slot(s) = kNotReceived;
  }
}

void TransportCcFeedbackGenerator::onPacket(uint16_t transportSequenceNumber, int64_t arrivalUs) {
  const int64_t seq = unwrapper_.unwrap(transportSequenceNumber);
  if (!started_) {
    started_ = true;
    start_ = seq;
    end_ = seq;
  }
  if (seq < start_) {
    // Late: already reported (or forgotten), or too far behind the newest to keep.
    if (seq < reportedEnd_ || end_ - seq > static_cast<int64_t>(kWindow)) {
      return;
    }
    clear(seq, start_);
    start_ = seq;
  }
  if (seq >= end_) {
    clear(end_, seq + 1);
    end_ = seq + 1;
    // The window slides: the oldest unreported packets are dropped.
    start_ = std::max(start_, end_ - static_cast<int64_t>(kWindow));
  }
  int64_t& arrival = slot(seq);
  if (arrival == kNotReceived) {
    arrival = arrivalUs;
  }
}

size_t TransportCcFeedbackGenerator::buildFeedback(MutableByteView out, uint32_t senderSsrc, uint32_t mediaSsrc) {
  if (!hasPending()) {
    return 0;
  }
  // The first received packet in the window sets the reference time.
  int64_t first = start_;
  while (first < end_ && slot(first) == kNotReceived) {
    ++first;
  }
  if (first == end_) {
    start_ = end_;
    return 0;
  }
  writer_.reset(static_cast<uint16_t>(start_), slot(first), feedbackPacketCount_);
  int64_t covered = start_;
  for (int64_t s = first; s < end_; ++s) {
    const int64_t arrival = slot(s);
    if (arrival == kNotReceived) {
      continue;
    }
    if (!writer_.addReceivedPacket(static_cast<uint16_t>(s), arrival)) {
      break;
    }
    covered = s + 1;
  }
  if (covered == start_) {
    // Cannot happen (the first packet always fits), but never loop forever on it.
    start_ = first + 1;
    return 0;
  }
  const size_t size = writer_.write(out, senderSsrc, mediaSsrc);
  if (size == 0) {
    return 0;  // `out` too small: keep everything pending
  }
  ++feedbackPacketCount_;
  start_ = covered;
  reportedEnd_ = covered;
  return size;
}

}  // namespace medrtc::rtp
