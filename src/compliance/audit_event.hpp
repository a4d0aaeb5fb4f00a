#pragma once
// An audit event shaped like a FHIR R4 AuditEvent (type, subtype, action, recorded,
// outcome, agent, source, entity) with DICOM audit codes (DICOM PS3.15 A.5, IHE ATNA).
// Ids are pseudonymous references ("Practitioner/p_12"); anything that can name a person
// is a PersonalText, sealed with the subject's key before it reaches the log (F3, H7).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "common/result.hpp"

namespace medrtc::compliance {

struct Coding {
  std::string system;
  std::string code;
  std::string display;
  bool operator==(const Coding&) const = default;
};

namespace dicom {
inline constexpr const char* kSystem = "http://dicom.nema.org/resources/ontology/DCM";
// Event types (AuditEvent.type).
Coding applicationActivity();  // 110100
Coding auditLogUsed();         // 110101
Coding exportEvent();          // 110106
Coding securityAlert();        // 110113
Coding userAuthentication();   // 110114
// Subtypes (AuditEvent.subtype).
Coding applicationStart();     // 110120
Coding applicationStop();      // 110121
Coding login();                // 110122
Coding logout();               // 110123
Coding emergencyOverrideStarted();  // 110127 (H2 break-glass)
}  // namespace dicom

// FHIR R4 AuditEvent.action (http://hl7.org/fhir/audit-event-action).
enum class AuditAction { Create, Read, Update, Delete, Execute };
// FHIR R4 AuditEvent.outcome (http://hl7.org/fhir/audit-event-outcome).
enum class AuditOutcome { Success = 0, MinorFailure = 4, SeriousFailure = 8, MajorFailure = 12 };

char actionCode(AuditAction a);

// A field that may name a person. Workflow code fills subjectId + plaintext; the log
// seals it (sealed = base64(nonce || secretbox)); reading back fills plaintext again or
// sets erased when the subject's key was destroyed.
struct PersonalText {
  std::string subjectId;
  std::string plaintext;
  std::string sealed;
  bool erased = false;
};

struct AuditAgent {
  std::string who;   // reference to the actor, e.g. "Practitioner/p_12" (H1: unique user id)
  std::string role;  // "practitioner" | "patient" | "staff" | "admin" | "system" | ...
  bool requestor = false;
  std::optional<PersonalText> name;
};

struct AuditEntity {
  std::string what;  // reference to the object, e.g. "Room/r_1f..", "Appointment/a_3"
  std::optional<PersonalText> display;
};

struct AuditEvent {
  Coding type;
  std::vector<Coding> subtype;
  AuditAction action = AuditAction::Execute;
  std::chrono::system_clock::time_point recorded{};  // the log stamps it when left at epoch
  AuditOutcome outcome = AuditOutcome::Success;
  std::string outcomeDesc;                           // never personal data (H7)
  std::vector<AuditAgent> agents;
  std::string sourceNode;                            // the log fills it when empty
  std::vector<AuditEntity> entities;
};

// "2024-05-01T10:00:00.123Z" (RFC 3339, UTC, milliseconds).
std::string formatInstant(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parseInstant(std::string_view text);

// The event as stored in the log: personal fields appear only sealed
// ({"subject": id, "box": base64}). Fails if a personal field is not sealed.
Result<boost::json::value, std::string> toLogJson(const AuditEvent& event);
Result<AuditEvent, std::string> fromLogJson(const boost::json::value& json);

}  // namespace medrtc::compliance
