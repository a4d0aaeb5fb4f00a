#pragma once
// Audit events of the clinic workflow (H1, H6, KBV K3/K4), shaped for compliance::AuditLog:
// who by pseudonymous id, what, when (the log stamps it), outcome. Never a name in clear:
// a guest's typed name, when recorded at all, is a PersonalText sealed with the guest's key.
#include <optional>
#include <string>
#include <string_view>

#include "compliance/audit_event.hpp"
#include "compliance/audit_sink.hpp"

namespace medrtc::clinic {

// "Practitioner/u_..", "Patient/g_..", "RelatedPerson/g_.." (interpreter, carer), "Device/..".
std::string agentReference(std::string_view role, std::string_view id);

struct AuditFacts {
  compliance::Coding type;
  std::optional<compliance::Coding> subtype;
  compliance::AuditAction action = compliance::AuditAction::Execute;
  compliance::AuditOutcome outcome = compliance::AuditOutcome::Success;
  std::string what;         // e.g. "sign_in", "admit": a stable action name (outcomeDesc prefix)
  std::string detail;       // never personal data
  std::string actorId;      // user or guest id; empty for an unknown actor
  std::string actorRole;    // "practitioner", "patient", ..., "anonymous"
  std::string sourceAddress;  // network address of the request, if known
  std::string entity;       // e.g. "Appointment/a_..", "Room/r_.."
  std::string secondEntity;  // e.g. the guest a host admitted
  std::optional<compliance::PersonalText> entityDisplay;  // sealed by the log
};

compliance::AuditEvent makeAuditEvent(const AuditFacts& facts);

// Records through `sink`; a null sink records nothing (tools and tests that do not audit).
// Throws what the sink throws (fail closed, H6).
void audit(compliance::AuditSink* sink, const AuditFacts& facts);
// The same without blocking (AuditSink::recordLater): `done` learns the outcome on the
// control thread; with a null sink it runs at once with no failure.
void auditLater(compliance::AuditSink* sink, const AuditFacts& facts, compliance::AuditSink::Completion done);
// A completion for evidence of something that cannot be undone (a refusal, a failed
// sign-in, a leave): a failed write is logged loudly with `event` (an action name and ids,
// never personal data), and nothing else happens.
compliance::AuditSink::Completion logAuditFailure(std::string event);

}  // namespace medrtc::clinic
