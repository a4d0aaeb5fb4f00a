#include "sfu/heap_trimmer.hpp"

#include <malloc.h>

namespace medrtc::sfu {

HeapTrimmer::HeapTrimmer(Timing timing, Trim trim) : timing_(timing), trim_(std::move(trim)) {}

void HeapTrimmer::noteFreed(Micros now) {
  if (!pending_) {
    pending_ = true;
    firstFreedAt_ = now;
  }
  lastFreedAt_ = now;
}

bool HeapTrimmer::onTick(Micros now) {
  if (!pending_) {
    return false;
  }
  if (trimmedBefore_ && now - lastTrimAt_ < timing_.minInterval) {
    return false;
  }
  // Under steady churn frees never pause: the oldest one waits at most minInterval.
  const bool settled = now - lastFreedAt_ >= timing_.settle;
  const bool waitedLongEnough = now - firstFreedAt_ >= timing_.minInterval;
  if (!settled && !waitedLongEnough) {
    return false;
  }
  trim_();
  pending_ = false;
  trimmedBefore_ = true;
  lastTrimAt_ = now;
  ++trims_;
  return true;
}

void HeapTrimmer::trimProcessHeap() { ::malloc_trim(0); }

}  // namespace medrtc::sfu
