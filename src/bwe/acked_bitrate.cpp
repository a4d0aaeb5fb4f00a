#include "bwe/acked_bitrate.hpp"

namespace medrtc::bwe {

void AckedBitrate::onPacket(int64_t arrivalUs, uint32_t size) {
  if (!packets_.empty() && arrivalUs < packets_.back().first) {
    arrivalUs = packets_.back().first;  // reordered: counts at the newest arrival
  }
  packets_.emplace_back(arrivalUs, size);
  bytes_ += size;
  while (packets_.front().first < arrivalUs - kWindowUs) {
    bytes_ -= packets_.front().second;
    packets_.pop_front();
  }
}

std::optional<uint64_t> AckedBitrate::bps() const {
  if (packets_.size() < 2) {
    return std::nullopt;
  }
  int64_t span = packets_.back().first - packets_.front().first;
  if (span < kMinSpanUs) {
    return std::nullopt;
  }
  // The first packet's bytes arrived before the span began.
  return (bytes_ - packets_.front().second) * 8 * 1'000'000 / static_cast<uint64_t>(span);
}

}  // namespace medrtc::bwe
