#pragma once
// What workflow code calls to audit something. The AuditLog implements it, the
// AuditWriter puts it on its own thread (group commit); tests and components that must
// not touch the disk use a recording fake.
#include <exception>
#include <functional>

#include "compliance/audit_event.hpp"

namespace medrtc::compliance {

class AuditSink {
 public:
  // Null when the event is durable, else why it is not.
  using Completion = std::function<void(std::exception_ptr failure)>;

  virtual ~AuditSink() = default;
  // Durable when it returns. Throws on failure: an action that cannot be audited must
  // fail (fail closed, H6), so callers let the exception reach their error boundary.
  // Blocks while the event is written: code on the control thread prefers recordLater.
  virtual void record(AuditEvent event) = 0;
  // The same without blocking: `done` runs once the event is durable or has failed, on
  // the caller's thread (the control thread) and never inside this call when the sink is
  // asynchronous. A fail-closed caller makes its change, then undoes it in `done` if the
  // event failed. This default writes inline and calls `done` before returning.
  virtual void recordLater(AuditEvent event, Completion done) {
    std::exception_ptr failure;
    try {
      record(std::move(event));
    } catch (...) {
      failure = std::current_exception();
    }
    done(failure);
  }
};

}  // namespace medrtc::compliance
