#include "common/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <stdexcept>

namespace medrtc::metrics {

Histogram::Histogram(std::vector<double> upperBounds)
    : bounds_(std::move(upperBounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) {
    throw std::invalid_argument("histogram bounds must ascend");
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    buckets_[i].store(0, std::memory_order_relaxed);
  }
}

void Histogram::observe(double value) {
  // Prometheus buckets are `le`: a value equal to a bound counts in that bound's bucket.
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  s.upperBounds = bounds_;
  s.bucketCounts.resize(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    s.bucketCounts[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  // Read without a lock, a concurrent observe may show in the buckets before `count`;
  // the buckets are what a scraper sums, so the count follows them.
  s.count = 0;
  for (uint64_t c : s.bucketCounts) {
    s.count += c;
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> latencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

void merge(std::vector<Family>& out, Family family) {
  for (Family& f : out) {
    if (f.name == family.name) {
      for (auto& s : family.samples) {
        f.samples.push_back(std::move(s));
      }
      for (auto& h : family.histograms) {
        f.histograms.push_back(std::move(h));
      }
      return;
    }
  }
  out.push_back(std::move(family));
}

namespace {

// Text format: HELP escapes backslash and newline; label values also escape the quote.
std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<int64_t>(v));
  }
  // The shortest text that reads back as the same double (0.1, not 0.10000000000000001).
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string labelText(const Labels& labels, const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && extra == nullptr) {
    return "";
  }
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::pair<std::string, std::string>& l) {
    out += (first ? "" : ",") + l.first + "=\"" + escape(l.second, true) + "\"";
    first = false;
  };
  for (const auto& l : labels) {
    add(l);
  }
  if (extra != nullptr) {
    add(*extra);
  }
  return out + "}";
}

const char* typeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string_view contentType(Exposition format) {
  return format == Exposition::kOpenMetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                            : "text/plain; version=0.0.4; charset=utf-8";
}

Exposition negotiate(std::string_view accept) {
  return accept.find("application/openmetrics-text") != std::string_view::npos ? Exposition::kOpenMetrics
                                                                               : Exposition::kPrometheusText;
}

std::string render(const std::vector<Family>& families, Exposition format) {
  std::string out;
  for (const Family& f : families) {
    // OpenMetrics names a counter family without its `_total` sample suffix; the 0.0.4
    // text format names it as the sample.
    std::string familyName = f.name;
    if (format == Exposition::kOpenMetrics && f.type == MetricType::kCounter && familyName.ends_with("_total")) {
      familyName.resize(familyName.size() - 6);
    }
    out += "# HELP " + familyName + " " + escape(f.help, false) + "\n";
    out += "# TYPE " + familyName + " " + typeName(f.type) + "\n";
    for (const Sample& s : f.samples) {
      out += f.name + labelText(s.labels) + " " + number(s.value) + "\n";
    }
    for (const HistogramSample& h : f.histograms) {
      uint64_t cumulative = 0;
      const HistogramSnapshot& snap = h.histogram;
      for (size_t i = 0; i < snap.bucketCounts.size(); ++i) {
        cumulative += snap.bucketCounts[i];
        std::pair<std::string, std::string> le{
            "le", i < snap.upperBounds.size() ? number(snap.upperBounds[i]) : std::string("+Inf")};
        out += f.name + "_bucket" + labelText(h.labels, &le) + " " + std::to_string(cumulative) + "\n";
      }
      out += f.name + "_sum" + labelText(h.labels) + " " + number(snap.sum) + "\n";
      out += f.name + "_count" + labelText(h.labels) + " " + std::to_string(snap.count) + "\n";
    }
  }
  if (format == Exposition::kOpenMetrics) {
    out += "# EOF\n";
  }
  return out;
}

Registry::Entry& Registry::entry(const std::string& name, const std::string& help, MetricType type) {
  auto [it, inserted] = entries_.try_emplace(name);
  if (inserted) {
    it->second.help = help;
    it->second.type = type;
  } else if (it->second.type != type) {
    throw std::logic_error("metric " + name + " registered with two types");
  }
  return it->second;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Entry& e = entry(name, help, MetricType::kCounter);
  for (auto& [l, c] : e.counters) {
    if (l == labels) {
      return *c;
    }
  }
  return *e.counters.emplace_back(labels, std::make_unique<Counter>()).second;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Entry& e = entry(name, help, MetricType::kGauge);
  for (auto& [l, g] : e.gauges) {
    if (l == labels) {
      return *g;
    }
  }
  return *e.gauges.emplace_back(labels, std::make_unique<Gauge>()).second;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::vector<double>& upperBounds, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Entry& e = entry(name, help, MetricType::kHistogram);
  for (auto& [l, h] : e.histograms) {
    if (l == labels) {
      return *h;
    }
  }
  return *e.histograms.emplace_back(labels, std::make_unique<Histogram>(upperBounds)).second;
}

std::vector<Family> Registry::collect() const {
  std::lock_guard lock(mutex_);
  std::vector<Family> out;
  for (const auto& [name, e] : entries_) {
    Family f{name, e.help, e.type, {}, {}};
    for (const auto& [labels, c] : e.counters) {
      f.samples.push_back({labels, static_cast<double>(c->value())});
    }
    for (const auto& [labels, g] : e.gauges) {
      f.samples.push_back({labels, static_cast<double>(g->value())});
    }
    for (const auto& [labels, h] : e.histograms) {
      f.histograms.push_back({labels, h->snapshot()});
    }
    out.push_back(std::move(f));
  }
  return out;
}

Registry& processRegistry() {
  static Registry registry;
  return registry;
}

}  // namespace medrtc::metrics
