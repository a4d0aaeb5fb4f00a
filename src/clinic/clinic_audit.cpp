#include "clinic/clinic_audit.hpp"
#include "log/log.hpp"


namespace medrtc::clinic {

std::string agentReference(std::string_view role, std::string_view id) {
  std::string type;
  if (role == "practitioner" || role == "admin" || role == "staff" || role == "host") {
    type = "Practitioner";
  } else if (role == "patient") {
    type = "Patient";
  } else if (role == "interpreter" || role == "carer" || role == "guest") {
    type = "RelatedPerson";
  } else {
    type = "Device";
  }
  return type + "/" + std::string(id.empty() ? "unknown" : id);
}

compliance::AuditEvent makeAuditEvent(const AuditFacts& f) {
  compliance::AuditEvent e;
  e.type = f.type;
  if (f.subtype) {
    e.subtype.push_back(*f.subtype);
  }
  e.action = f.action;
  e.outcome = f.outcome;
  e.outcomeDesc = f.detail.empty() ? f.what : f.what + ": " + f.detail;
  compliance::AuditAgent actor;
  actor.who = agentReference(f.actorRole, f.actorId);
  actor.role = f.actorRole.empty() ? "anonymous" : f.actorRole;
  actor.requestor = true;
  e.agents.push_back(std::move(actor));
  if (!f.sourceAddress.empty()) {
    compliance::AuditAgent network;
    network.who = "Network/" + f.sourceAddress;
    network.role = "network";
    e.agents.push_back(std::move(network));
  }
  if (!f.entity.empty()) {
    compliance::AuditEntity entity;
    entity.what = f.entity;
    entity.display = f.entityDisplay;
    e.entities.push_back(std::move(entity));
  }
  if (!f.secondEntity.empty()) {
    e.entities.push_back(compliance::AuditEntity{f.secondEntity, std::nullopt});
  }
  return e;
}

void audit(compliance::AuditSink* sink, const AuditFacts& facts) {
  if (sink != nullptr) {
    sink->record(makeAuditEvent(facts));
  }
}

void auditLater(compliance::AuditSink* sink, const AuditFacts& facts, compliance::AuditSink::Completion done) {
  if (sink == nullptr) {
    done(nullptr);
    return;
  }
  sink->recordLater(makeAuditEvent(facts), std::move(done));
}

compliance::AuditSink::Completion logAuditFailure(std::string event) {
  return [event = std::move(event)](std::exception_ptr failure) {
    if (!failure) {
      return;
    }
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log::error("audit_failed", {{"code", "internal"}, {"audit_event", event}, {"error", e.what()}});
    } catch (...) {
      log::error("audit_failed", {{"code", "internal"}, {"audit_event", event}});
    }
  };
}

}  // namespace medrtc::clinic
