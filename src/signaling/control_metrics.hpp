#pragma once
// The control plane's figures for /metrics (docs/operations.md), named in one place so
// call sites stay one line: sign-in outcomes, joins, TURN credentials, policy refusals
// and the audit trail's write latency. Labels carry outcomes and actions, never a person.
#include <chrono>
#include <optional>
#include <string_view>

#include "clinic/auth_service.hpp"
#include "common/clock.hpp"
#include "compliance/audit_sink.hpp"

namespace medrtc::signaling {

// Creates the unlabelled instruments, so a scrape shows them at 0 before their first
// event (a counter that appears late reads as a reset to some queries). Idempotent.
void registerControlMetrics();

// nullopt: signed in. Outcome labels: ok, bad_password, totp_required, totp_invalid,
// rate_limited, mfa_not_enrolled, policy_unavailable.
void countSignIn(std::optional<clinic::SignInError> failure);
std::string_view signInOutcome(std::optional<clinic::SignInError> failure);
// A participant entered a call; `latency` from the media request to `joined`.
void countJoin(Micros latency);
// TURN REST credentials handed to a participant in `joined`.
void countTurnCredentials();
// A socket that had not sent `join` gave way to a newer one (signaling/pending_joins.hpp).
void countUnjoinedDisplaced();
// The policy profile refused an action (`action`: recording, transcription, ...).
void countPolicyRefusal(std::string_view action);

// Times each event of the wrapped sink until it is durable or failed
// (medrtc_audit_write_duration_seconds), recordLater's included.
class TimedAuditSink final : public compliance::AuditSink {
 public:
  explicit TimedAuditSink(compliance::AuditSink& inner) : inner_(inner) {}
  void record(compliance::AuditEvent event) override;
  void recordLater(compliance::AuditEvent event, Completion done) override;

 private:
  compliance::AuditSink& inner_;
};

}  // namespace medrtc::signaling
