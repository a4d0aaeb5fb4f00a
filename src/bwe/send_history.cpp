#include "bwe/send_history.hpp"

#include <algorithm>

#include "rtp/sequence_number.hpp"

namespace medrtc::bwe {

uint16_t SendHistory::add(int64_t sendUs, uint32_t size, int32_t probeCluster) {
  int64_t sequence = next_++;
  ring_[static_cast<size_t>(sequence) % kWindow] = SentPacket{sequence, sendUs, size, probeCluster};
  return static_cast<uint16_t>(sequence);
}

void SendHistory::markDeparted(int64_t departedUs) {
  for (int64_t s = std::max(departed_, next_ - static_cast<int64_t>(kWindow)); s < next_; ++s) {
    SentPacket& p = ring_[static_cast<size_t>(s) % kWindow];
    p.sendUs = std::max(p.sendUs, departedUs);
  }
  departed_ = next_;
}

int64_t SendHistory::unwrap(uint16_t sequence) const {
  if (next_ == 0) {
    return sequence;
  }
  int64_t newest = next_ - 1;
  return newest + rtp::sequenceNumberDelta(sequence, static_cast<uint16_t>(newest));
}

std::optional<SentPacket> SendHistory::find(uint16_t sequence) const {
  int64_t unwrapped = unwrap(sequence);
  if (unwrapped < 0 || unwrapped >= next_ || next_ - unwrapped > static_cast<int64_t>(kWindow)) {
    return std::nullopt;
  }
  const SentPacket& p = ring_[static_cast<size_t>(unwrapped) % kWindow];
  if (p.sequence != unwrapped || p.size == 0) {
    return std::nullopt;
  }
  return p;
}

}  // namespace medrtc::bwe
