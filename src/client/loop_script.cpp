#include "client/loop_script.hpp"

#include <memory>

namespace medrtc::client {

ScriptResult runScript(net::EventLoop& loop, std::vector<ScriptStep> steps, Micros timeout, Micros pollInterval) {
  struct State {
    std::vector<ScriptStep> steps;
    ScriptResult result;
    Micros deadline{0};
    Micros pollInterval{0};
    std::function<void()> poll;
  };
  auto state = std::make_shared<State>();
  state->steps = std::move(steps);
  state->pollInterval = pollInterval;
  state->deadline = loop.now() + timeout;
  State* s = state.get();
  s->poll = [s, &loop] {
    while (s->result.stepsDone < s->steps.size()) {
      ScriptStep& step = s->steps[s->result.stepsDone];
      if (step.until && !step.until()) {
        break;
      }
      if (step.then) {
        step.then();
      }
      ++s->result.stepsDone;
    }
    if (s->result.stepsDone == s->steps.size()) {
      s->result.completed = true;
      loop.stop();
      return;
    }
    if (loop.now() >= s->deadline) {
      s->result.stuckAt = s->steps[s->result.stepsDone].name;
      loop.stop();
      return;
    }
    loop.runAfter(s->pollInterval, s->poll);
  };
  loop.post(s->poll);
  loop.run();
  s->poll = nullptr;
  return state->result;
}

}  // namespace medrtc::client
