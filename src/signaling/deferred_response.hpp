#pragma once
// A handler whose answer may come later (HttpResponse::deferred): it hands `answer` to
// the asynchronous work and returns `response()`. When the work finished inline (no
// worker pool: unit tests, tools) that is the answer itself; otherwise a deferred
// response that the HTTP session completes when `answer` runs. Control thread only.
#include <functional>
#include <memory>
#include <optional>

#include "signaling/http_types.hpp"

namespace medrtc::signaling {

class DeferredResponse : public std::enable_shared_from_this<DeferredResponse> {
 public:
  static std::shared_ptr<DeferredResponse> create() { return std::shared_ptr<DeferredResponse>(new DeferredResponse); }

  void answer(HttpResponse r) {
    if (r.deferred) {
      // An answer that is itself deferred (a route whose handler waits on the store pool
      // after its session check did): this one is answered when that one is.
      auto later = std::move(r.deferred);
      later([self = shared_from_this()](const HttpResponse& inner) { self->answer(inner); });
      return;
    }
    if (writer_) {
      auto writer = std::move(writer_);
      writer_ = nullptr;
      writer(r);
    } else {
      ready_ = std::move(r);
    }
  }

  HttpResponse response() {
    if (ready_) {
      return std::move(*ready_);
    }
    HttpResponse later;
    later.deferred = [self = shared_from_this()](std::function<void(const HttpResponse&)> writer) {
      if (self->ready_) {
        writer(*self->ready_);
      } else {
        self->writer_ = std::move(writer);
      }
    };
    return later;
  }

 private:
  DeferredResponse() = default;
  std::optional<HttpResponse> ready_;
  std::function<void(const HttpResponse&)> writer_;
};

}  // namespace medrtc::signaling
