#include "sfu/heap_trimmer.hpp"

#include <malloc.h>

#include <atomic>

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

namespace {
// Only the control thread runs trims; atomics keep the /metrics scrape (also the control
// thread today) and tests on other threads well-defined.
std::atomic<bool> processTrimmedBefore{false};
std::atomic<int64_t> lastProcessTrimMicros{0};
std::atomic<uint64_t> processTrimCount{0};
}  // namespace

bool HeapTrimmer::runProcessTrim(Micros now, Micros minInterval) {
  const int64_t last = lastProcessTrimMicros.load(std::memory_order_relaxed);
  // (A `now` before the last trim only happens in tests that pick their own times.)
  if (processTrimmedBefore.load(std::memory_order_relaxed) && now.count() >= last &&
      now.count() - last < minInterval.count()) {
    return false;
  }
  processTrimmedBefore.store(true, std::memory_order_relaxed);
  lastProcessTrimMicros.store(now.count(), std::memory_order_relaxed);
  trimProcessHeap();
  processTrimCount.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void HeapTrimmer::forgetLastProcessTrim() { processTrimmedBefore.store(false, std::memory_order_relaxed); }

uint64_t HeapTrimmer::processTrims() { return processTrimCount.load(std::memory_order_relaxed); }

}  // namespace medrtc::sfu
