#pragma once
// Time comes from an injectable clock so tests can control it.
#include <chrono>
#include <cstdint>

namespace medrtc {

using Micros = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time for timers, jitter and timeouts.
  virtual Micros now() const = 0;
  // Wall-clock time (Unix epoch) for tokens, expiry and records.
  virtual std::chrono::system_clock::time_point wallNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  Micros now() const override {
    return std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now().time_since_epoch());
  }
  std::chrono::system_clock::time_point wallNow() const override { return std::chrono::system_clock::now(); }
  static SystemClock& instance() {
    static SystemClock clock;
    return clock;
  }
};

class ManualClock final : public Clock {
 public:
  Micros now() const override { return mono_; }
  std::chrono::system_clock::time_point wallNow() const override { return wall_; }
  void advance(Micros d) {
    mono_ += d;
    wall_ += d;
  }
  void setWall(std::chrono::system_clock::time_point t) { wall_ = t; }

 private:
  Micros mono_{1'000'000};
  std::chrono::system_clock::time_point wall_{std::chrono::seconds(1'700'000'000)};
};

}  // namespace medrtc
