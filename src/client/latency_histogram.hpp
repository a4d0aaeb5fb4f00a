#pragma once
// Latency samples in µs, kept as a log-linear histogram (8 sub-buckets per power of two,
// so a percentile is within 12.5 %) plus exact count, sum, min and max. Fixed size and no
// allocation per sample: a load generator records one sample per received packet.
#include <array>
#include <cstdint>

#include "common/clock.hpp"

namespace medrtc::client {

class LatencyHistogram {
 public:
  void add(Micros sample);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  Micros min() const { return Micros(count_ == 0 ? 0 : min_); }
  Micros max() const { return Micros(max_); }
  Micros mean() const { return Micros(count_ == 0 ? 0 : sum_ / static_cast<int64_t>(count_)); }
  // p in [0, 1]; the representative value (bucket midpoint, clamped to [min, max]) of the
  // bucket holding the p-quantile; exactly min at 0 and max at 1. 0 with no samples.
  Micros percentile(double p) const;
  // Samples below zero (clock steps, or a sender on another host's clock) count as 0.
  uint64_t negativeSamples() const { return negative_; }

 private:
  static constexpr int kSubBits = 3;
  static constexpr size_t kBuckets = 64 << kSubBits;
  static size_t bucketOf(uint64_t us);
  static uint64_t bucketLow(size_t bucket);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  int64_t sum_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  uint64_t negative_ = 0;
};

}  // namespace medrtc::client
