#pragma once
// What workflow code calls to audit something. The AuditLog implements it; tests and
// components that must not touch the disk use a recording fake.
#include "compliance/audit_event.hpp"

namespace medrtc::compliance {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Durable when it returns. Throws on failure: an action that cannot be audited must
  // fail (fail closed, H6), so callers let the exception reach their error boundary.
  virtual void record(AuditEvent event) = 0;
};

}  // namespace medrtc::compliance
