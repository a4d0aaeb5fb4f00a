#pragma once
// The generator drives the run: warm-up, then the measuring window, then stop. The
// forwarder snapshots its counters when it sees the phase change.
#include <atomic>

namespace medrtc::bench {

enum class Phase : int { kWarmup = 0, kMeasuring = 1, kStopped = 2 };

using SharedPhase = std::atomic<Phase>;

}  // namespace medrtc::bench
