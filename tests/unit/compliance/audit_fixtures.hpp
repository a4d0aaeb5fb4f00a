#pragma once
// Events and log options for the audit tests.
#include <string>

#include "common/clock.hpp"
#include "compliance/audit_log.hpp"

namespace medrtc::compliance::testing {

inline AuditEvent loginEvent(int i, bool withName = true) {
  AuditEvent e;
  e.type = dicom::userAuthentication();
  e.subtype = {dicom::login()};
  e.action = AuditAction::Execute;
  e.outcome = AuditOutcome::Success;
  AuditAgent agent;
  agent.who = "Practitioner/p_" + std::to_string(i % 3);
  agent.role = "practitioner";
  agent.requestor = true;
  if (withName) {
    agent.name = PersonalText{agent.who, "Dr. Erika Mustermann " + std::to_string(i % 3), "", false};
  }
  e.agents.push_back(agent);
  AuditEntity room;
  room.what = "Room/r_" + std::to_string(i);
  e.entities.push_back(room);
  return e;
}

inline AuditEvent admitEvent(const std::string& patientId, const std::string& patientName) {
  AuditEvent e;
  e.type = dicom::applicationActivity();
  e.action = AuditAction::Update;
  AuditAgent doctor{"Practitioner/p_1", "practitioner", true, std::nullopt};
  e.agents.push_back(doctor);
  AuditEntity patient;
  patient.what = patientId;
  patient.display = PersonalText{patientId, patientName, "", false};
  e.entities.push_back(patient);
  return e;
}

inline AuditLogOptions logOptions(const std::filesystem::path& dir, const Clock* clock, uint64_t every = 4) {
  AuditLogOptions o;
  o.dataDir = dir;
  o.sourceNode = "node-test";
  o.checkpointEveryEvents = every;
  o.clock = clock;
  return o;
}

}  // namespace medrtc::compliance::testing
