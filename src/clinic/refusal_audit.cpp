#include "clinic/refusal_audit.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

namespace medrtc::clinic {

namespace {
constexpr const char* kOverflowSource = "*";
}  // namespace

RefusalAudit::RefusalAudit(compliance::AuditSink* sink, const Clock& clock, RefusalAuditOptions options)
    : sink_(sink), clock_(clock), options_(options) {}

RefusalAudit::~RefusalAudit() { flush(true); }

bool RefusalAudit::refuse(const AuditFacts& facts, const std::string& source) {
  flush();
  Micros now = clock_.now();
  auto key = std::make_pair(facts.what, source);
  auto it = windows_.find(key);
  if (it == windows_.end() && windows_.size() >= options_.maxSources) {
    key.second = kOverflowSource;
    it = windows_.find(key);
  }
  if (it != windows_.end()) {
    ++it->second.repeats;
    return false;
  }
  Window w;
  w.first = facts;
  w.started = now;
  if (key.second == kOverflowSource) {
    // Many sources at once: the summary stands for all of them, not the first one's.
    w.first.sourceAddress.clear();
    w.first.actorId.clear();
    w.first.detail = "from more than " + std::to_string(options_.maxSources) + " sources";
  }
  // Remember the window before recording: a failing sink still throttles the next one.
  windows_.emplace(key, w);
  // The refused request did not happen: nothing to undo if its evidence fails.
  auditLater(sink_, w.first, logAuditFailure(w.first.what));
  return true;
}

void RefusalAudit::summarize(Window& w) {
  if (w.repeats == 0) {
    return;
  }
  AuditFacts summary = w.first;
  summary.detail = (w.first.detail.empty() ? "" : w.first.detail + "; ") + "repeated " + std::to_string(w.repeats) +
                   " more times within " + std::to_string(options_.window.count()) + " s";
  w.repeats = 0;
  auditLater(sink_, summary, logAuditFailure("refusal_summary " + summary.what));
}

void RefusalAudit::flush(bool all) {
  Micros now = clock_.now();
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (all || now - it->second.started >= options_.window) {
      summarize(it->second);
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace medrtc::clinic
