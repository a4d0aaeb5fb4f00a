#pragma once
// The signaling half of one synthetic participant, on the control thread (one
// io_context for all participants). It carries SDP between the server and the
// participant's ParticipantMedia, which lives on a media event loop: calls cross threads
// through MediaLink (post to the loop, post the result back).
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "common/clock.hpp"
#include "loadgen/participant_media.hpp"
#include "net/event_loop.hpp"

namespace medrtc::loadgen {

struct MediaLink {
  net::EventLoop* loop = nullptr;
  ParticipantMedia* media = nullptr;  // owned by the runner; lives on `loop`
  std::function<void(std::function<void()>)> postControl;

  // Runs f(media) on the media loop, then then(result) back on the control thread.
  template <class F, class Then>
  void call(F f, Then then) const {
    loop->post([media = media, f = std::move(f), then = std::move(then), post = postControl]() mutable {
      auto result = f(*media);
      post([result = std::move(result), then = std::move(then)]() mutable { then(std::move(result)); });
    });
  }
};

class ParticipantSignaling {
 public:
  virtual ~ParticipantSignaling() = default;
  // Control thread.
  virtual void start() = 0;
  virtual void leave() = 0;

  // Thread-safe. joinOrigin: when the join began (medrtc: WebSocket open; Janus: session
  // create sent), loop-clock µs; 0 = not yet.
  int64_t joinOrigin() const { return joinOrigin_.load(std::memory_order_relaxed); }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  // Read only after the control thread stopped.
  const std::string& failure() const { return failure_; }

 protected:
  void markJoinOrigin() { joinOrigin_.store(SystemClock::instance().now().count(), std::memory_order_relaxed); }
  void failWith(std::string reason) {
    if (!failed_.load()) {
      failure_ = std::move(reason);
      failed_.store(true);
    }
  }
  bool leaving_ = false;

 private:
  std::atomic<int64_t> joinOrigin_{0};
  std::atomic<bool> failed_{false};
  std::string failure_;
};

}  // namespace medrtc::loadgen
