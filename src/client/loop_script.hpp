#pragma once
// Drives an EventLoop through a script of "wait until X, then do Y" steps with one overall
// deadline, polling the conditions on a short timer. For tests, benchmarks and the load
// generator, which need bounded waits on conditions rather than sleeps.
//
// net::EventLoop::run() can be called only once per loop (stop() is final), so a script
// is the whole life of its loop: put every phase of a test in one script.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "net/event_loop.hpp"

namespace medrtc::client {

struct ScriptStep {
  std::string name;               // reported when the deadline passes in this step
  std::function<bool()> until;    // null = immediately
  std::function<void()> then;     // may be null
};

struct ScriptResult {
  bool completed = false;
  size_t stepsDone = 0;
  std::string stuckAt;  // name of the step that was waiting when the deadline passed
};

// Runs `loop` on the calling thread until every step's condition held and its action ran,
// or until `timeout`. Conditions are checked every `pollInterval` and after each action.
ScriptResult runScript(net::EventLoop& loop, std::vector<ScriptStep> steps, Micros timeout,
                       Micros pollInterval = std::chrono::milliseconds(1));

}  // namespace medrtc::client
