#pragma once
// Prometheus metrics: counters, gauges and histograms that any thread may update without a
// lock, a process-wide registry of them, and the text exposition formats (Prometheus text
// 0.0.4 and OpenMetrics 1.0) a scraper reads from /metrics (docs/operations.md).
//
// Labels name nodes and workers only, never a person, room or participant: the figures
// leave the node and a scrape must not become a record of who met whom.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace medrtc::metrics {

// A count that only grows; any thread may add.
class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A count written by one thread only (a media worker) and read by any: add() is a plain
// load and store, no locked instruction on the packet path.
class OwnedCounter {
 public:
  void add(uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down; any thread may set or add.
class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

struct HistogramSnapshot {
  std::vector<double> upperBounds;    // ascending, without +Inf
  std::vector<uint64_t> bucketCounts;  // per bucket, not cumulative; one more than upperBounds (+Inf)
  uint64_t count = 0;
  double sum = 0;
};

// Observations counted into fixed buckets (`le` upper bounds, inclusive as Prometheus has
// them); any thread may observe.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upperBounds);
  void observe(double value);
  HistogramSnapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Bucket bounds in seconds for request-sized latencies (1 ms .. 10 s).
std::vector<double> latencyBuckets();

enum class MetricType { kCounter, kGauge, kHistogram };

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

struct HistogramSample {
  Labels labels;
  HistogramSnapshot histogram;
};

// One metric family at scrape time. Counter names end in `_total`.
struct Family {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;              // counters and gauges
  std::vector<HistogramSample> histograms;  // histograms
};

// Adds `family`'s samples to the family of the same name in `out`, or appends it.
void merge(std::vector<Family>& out, Family family);

enum class Exposition { kPrometheusText, kOpenMetrics };

// The Content-Type of each format.
std::string_view contentType(Exposition format);
// OpenMetrics when the Accept header asks for application/openmetrics-text.
Exposition negotiate(std::string_view acceptHeader);
std::string render(const std::vector<Family>& families, Exposition format);

// Figures computed at scrape time (rooms open, worker CPU) append their families here.
using Collector = std::function<void(std::vector<Family>&)>;

// The process's instruments by name and labels. Lookups take a lock: call sites on hot
// paths keep the returned reference (it stays valid for the life of the process).
class Registry {
 public:
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const std::vector<double>& upperBounds,
                       const Labels& labels = {});
  std::vector<Family> collect() const;

 private:
  struct Entry {
    std::string help;
    MetricType type;
    std::vector<std::pair<Labels, std::unique_ptr<Counter>>> counters;
    std::vector<std::pair<Labels, std::unique_ptr<Gauge>>> gauges;
    std::vector<std::pair<Labels, std::unique_ptr<Histogram>>> histograms;
  };
  Entry& entry(const std::string& name, const std::string& help, MetricType type);

  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

Registry& processRegistry();

}  // namespace medrtc::metrics
