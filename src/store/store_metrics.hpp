#pragma once
// The store's latency for /metrics (docs/operations.md): one histogram per backend.
#include <chrono>

#include "common/metrics.hpp"

namespace medrtc::store {

// `backend`: "sqlite" (each statement that writes) or "postgres" (each transaction).
inline metrics::Histogram& storeWriteSeconds(const char* backend) {
  return metrics::processRegistry().histogram("medrtc_store_write_duration_seconds",
                                              "Time the store took to write (SQLite: a statement; PostgreSQL: a "
                                              "transaction, commit included).",
                                              metrics::latencyBuckets(), {{"backend", backend}});
}

// Observes the time from construction to destruction.
class StoreWriteTimer {
 public:
  explicit StoreWriteTimer(metrics::Histogram& h) : h_(h), start_(std::chrono::steady_clock::now()) {}
  ~StoreWriteTimer() {
    h_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  StoreWriteTimer(const StoreWriteTimer&) = delete;
  StoreWriteTimer& operator=(const StoreWriteTimer&) = delete;

 private:
  metrics::Histogram& h_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace medrtc::store
