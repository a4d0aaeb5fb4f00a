#pragma once
// Repeated refusals audited as one event per source per window (issue 10 item 6). A
// rate-limited sign-in or a waiting patient's host-only message used to append one event
// each: 30,000 attempts made 30,000 events (17 MB, one fdatasync each on the control
// thread). The evidence is kept without the flood: the first refusal of a kind from a
// source in a window is audited at once, the rest are counted, and when the window ends
// one summary event carries the count.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "clinic/clinic_audit.hpp"
#include "common/clock.hpp"
#include "compliance/audit_sink.hpp"

namespace medrtc::clinic {

struct RefusalAuditOptions {
  std::chrono::seconds window{60};
  // Distinct sources with their own events per window; refusals from further sources
  // share one overflow entry, so rotating addresses does not multiply the events.
  size_t maxSources = 256;
};

class RefusalAudit {
 public:
  // `sink` null: nothing is recorded (tests and tools that do not audit).
  RefusalAudit(compliance::AuditSink* sink, const Clock& clock, RefusalAuditOptions options = {});
  ~RefusalAudit();
  RefusalAudit(const RefusalAudit&) = delete;
  RefusalAudit& operator=(const RefusalAudit&) = delete;

  // Counts a refusal of `facts.what` from `source` (an address, a connection). True when
  // this one was recorded now (the first of its window): callers log only then. Does not
  // wait for the disk (AuditSink::recordLater); a failed write is logged.
  bool refuse(const AuditFacts& facts, const std::string& source);
  // Records the summary of every window that has ended (all of them with `all`, at
  // shutdown). A failing sink is logged, not thrown: this runs from timers.
  void flush(bool all = false);

  void setSink(compliance::AuditSink* sink) { sink_ = sink; }

 private:
  struct Window {
    AuditFacts first;
    Micros started{0};
    uint64_t repeats = 0;  // refusals after the first, not yet recorded
  };
  void summarize(Window& w);

  compliance::AuditSink* sink_;
  const Clock& clock_;
  RefusalAuditOptions options_;
  std::map<std::pair<std::string, std::string>, Window> windows_;  // (what, source)
};

}  // namespace medrtc::clinic
