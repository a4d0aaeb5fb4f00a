#include "signaling/control_metrics.hpp"

#include <string>

#include "common/metrics.hpp"

namespace medrtc::signaling {

namespace {

metrics::Registry& registry() { return metrics::processRegistry(); }

}  // namespace

std::string_view signInOutcome(std::optional<clinic::SignInError> failure) {
  if (!failure) {
    return "ok";
  }
  switch (*failure) {
    case clinic::SignInError::kInvalidCredentials:
      return "bad_password";  // also an unknown email: the two are not told apart anywhere
    case clinic::SignInError::kTotpRequired:
      return "totp_required";
    case clinic::SignInError::kTotpInvalid:
      return "totp_invalid";
    case clinic::SignInError::kTooManyAttempts:
      return "rate_limited";
    case clinic::SignInError::kMfaNotEnrolled:
      return "mfa_not_enrolled";
    case clinic::SignInError::kPolicyUnavailable:
      return "policy_unavailable";
    case clinic::SignInError::kUnavailable:
      return "unavailable";  // busy or a store failure: not a guess
  }
  return "bad_password";
}

void countSignIn(std::optional<clinic::SignInError> failure) {
  registry()
      .counter("medrtc_sign_ins_total", "Staff sign-in attempts by outcome.",
               {{"outcome", std::string(signInOutcome(failure))}})
      .add();
}

namespace {

metrics::Counter& joins() {
  static metrics::Counter& c = registry().counter("medrtc_joins_total", "Participants who entered a call.");
  return c;
}

metrics::Histogram& joinSeconds() {
  static metrics::Histogram& h =
      registry().histogram("medrtc_join_duration_seconds",
                           "Time from a participant's media request (after any waiting room) to `joined`.",
                           metrics::latencyBuckets());
  return h;
}

metrics::Counter& turnCredentials() {
  static metrics::Counter& c =
      registry().counter("medrtc_turn_credentials_issued_total", "TURN REST credentials handed out in `joined`.");
  return c;
}

metrics::Counter& unjoinedDisplaced() {
  static metrics::Counter& c = registry().counter(
      "medrtc_unjoined_sockets_displaced_total",
      "Signaling sockets closed before their join because newer ones waited (per-address or total cap).");
  return c;
}

metrics::Histogram& auditSeconds() {
  static metrics::Histogram& h = registry().histogram(
      "medrtc_audit_write_duration_seconds", "Time to append one event to the audit trail durably.",
      metrics::latencyBuckets());
  return h;
}

}  // namespace

void registerControlMetrics() {
  joins();
  joinSeconds();
  turnCredentials();
  unjoinedDisplaced();
  auditSeconds();
}

void countJoin(Micros latency) {
  joins().add();
  joinSeconds().observe(std::chrono::duration<double>(latency).count());
}

void countTurnCredentials() { turnCredentials().add(); }

void countUnjoinedDisplaced() { unjoinedDisplaced().add(); }

void countPolicyRefusal(std::string_view action) {
  registry()
      .counter("medrtc_policy_refusals_total", "Actions the node's policy profile refused, by action.",
               {{"action", std::string(action)}})
      .add();
}

void TimedAuditSink::record(compliance::AuditEvent event) {
  metrics::Histogram& seconds = auditSeconds();
  auto start = std::chrono::steady_clock::now();
  // A failed write is timed too: a slow failure is what an operator needs to see.
  struct Observe {
    metrics::Histogram& h;
    std::chrono::steady_clock::time_point start;
    ~Observe() { h.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()); }
  } observe{seconds, start};
  inner_.record(std::move(event));
}

void TimedAuditSink::recordLater(compliance::AuditEvent event, Completion done) {
  auto start = std::chrono::steady_clock::now();
  inner_.recordLater(std::move(event), [start, done = std::move(done)](std::exception_ptr failure) {
    auditSeconds().observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    done(failure);
  });
}

}  // namespace medrtc::signaling
