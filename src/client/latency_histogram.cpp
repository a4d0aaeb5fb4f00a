#include "client/latency_histogram.hpp"

#include <algorithm>
#include <bit>

namespace medrtc::client {

size_t LatencyHistogram::bucketOf(uint64_t us) {
  if (us < (1u << kSubBits)) {
    return static_cast<size_t>(us);  // exact below 8 µs
  }
  const int exponent = std::bit_width(us) - 1;  // >= kSubBits
  const uint64_t sub = (us >> (exponent - kSubBits)) & ((1u << kSubBits) - 1);
  return static_cast<size_t>((exponent - kSubBits + 1) << kSubBits) + static_cast<size_t>(sub);
}

uint64_t LatencyHistogram::bucketLow(size_t bucket) {
  if (bucket < (1u << kSubBits)) {
    return bucket;
  }
  const int exponent = static_cast<int>(bucket >> kSubBits) + kSubBits - 1;
  const uint64_t sub = bucket & ((1u << kSubBits) - 1);
  return (uint64_t{1} << exponent) | (sub << (exponent - kSubBits));
}

void LatencyHistogram::add(Micros sample) {
  int64_t us = sample.count();
  if (us < 0) {
    ++negative_;
    us = 0;
  }
  ++buckets_[std::min(bucketOf(static_cast<uint64_t>(us)), kBuckets - 1)];
  ++count_;
  sum_ += us;
  min_ = std::min(min_, us);
  max_ = std::max(max_, us);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) {
    buckets_[i] += other.buckets_[i];
  }
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  negative_ += other.negative_;
}

Micros LatencyHistogram::percentile(double p) const {
  if (count_ == 0) {
    return Micros(0);
  }
  if (p <= 0.0) {
    return Micros(min_);
  }
  if (p >= 1.0) {
    return Micros(max_);
  }
  const auto rank = static_cast<uint64_t>(p * static_cast<double>(count_ - 1)) + 1;  // 1-based
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const uint64_t low = bucketLow(i);
      const uint64_t high = i + 1 < kBuckets ? bucketLow(i + 1) : low;
      const auto mid = static_cast<int64_t>(low + (high - low) / 2);
      return Micros(std::clamp(mid, min_, max_));
    }
  }
  return Micros(max_);
}

}  // namespace medrtc::client
