#include "compliance/store_retention.hpp"

#include <map>

#include "compliance/audit_event.hpp"

namespace medrtc::compliance {

namespace {

store::UnixSeconds toUnix(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Coding retentionPurgeSubtype() {
  return Coding{"https://medrtc.dev/audit-subtype", "retention-purge", "retention purge"};
}

}  // namespace

StorePurgeCounts& StorePurgeCounts::operator+=(const StorePurgeCounts& o) {
  appointments += o.appointments;
  invitations += o.invitations;
  guests += o.guests;
  rooms += o.rooms;
  sessions += o.sessions;
  qualitySamples += o.qualitySamples;
  erasedKeys += o.erasedKeys;
  return *this;
}

std::string StorePurgeCounts::summary() const {
  return "appointments=" + std::to_string(appointments) + " invitations=" + std::to_string(invitations) +
         " guests=" + std::to_string(guests) + " rooms=" + std::to_string(rooms) +
         " sessions=" + std::to_string(sessions) + " quality_samples=" + std::to_string(qualitySamples) +
         " erased_keys=" + std::to_string(erasedKeys);
}

StoreRetentionTarget::StoreRetentionTarget(store::Store& store, SubjectKeyStore& keys,
                                           std::vector<std::string> tenantIds)
    : store_(store), keys_(keys), tenantIds_(std::move(tenantIds)) {}

uint64_t StoreRetentionTarget::purgeBefore(WallTime cutoff) {
  StorePurgeCounts run;
  for (const auto& tenantId : tenantIds_) {
    store::MetadataPurge p = store_.purgeMetadata(tenantId, toUnix(cutoff));
    run.appointments += p.appointments;
    run.invitations += p.invitations;
    run.guests += p.guests;
    run.rooms += p.rooms;
    run.qualitySamples += p.qualitySamples;
    // The rows are gone; any copy of their sealed fields (backups, replicas) dies with
    // the key.
    for (const auto& id : p.appointmentIds) {
      run.erasedKeys += keys_.erase(id) ? 1 : 0;
    }
  }
  counts_ += run;
  return static_cast<uint64_t>(run.total());
}

std::vector<std::string> StoreRetentionTarget::liveSubjects() {
  std::vector<std::string> live = store_.listAppointmentIds();
  for (const auto& u : store_.listUsers()) {
    live.push_back(u.id);
  }
  return live;
}

RetentionRunReport runRetention(store::Store& store, SubjectKeyStore& keys, const Clock& clock,
                                const RetentionRunOptions& options) {
  RetentionRunReport report;
  // Tenants grouped by the profile that governs them.
  std::vector<std::string> nodeTenants{""};
  std::map<std::string, std::vector<std::string>> byOwnProfile;
  for (const auto& t : store.listTenants()) {
    if (!t.policyProfile.empty() && options.tenantProfile) {
      byOwnProfile[t.policyProfile].push_back(t.id);
    } else {
      nodeTenants.push_back(t.id);
    }
  }
  for (auto& [name, tenants] : byOwnProfile) {
    std::optional<PolicyProfile> profile = options.tenantProfile(name);
    if (!profile) {
      // Fail closed: the unread profile may keep metadata longer than the node's (hipaa
      // on a kbv node), and a purge cannot be undone. Sign-in fails closed alike (503).
      report.problems.push_back("profile " + name + " did not load; its " + std::to_string(tenants.size()) +
                                " tenant(s) are not purged");
      continue;
    }
    if (profile->metadataRetentionDays == 0) {
      continue;
    }
    StoreRetentionTarget target(store, keys, tenants);
    target.purgeBefore(clock.wallNow() - std::chrono::hours(24) * profile->metadataRetentionDays);
    report.counts += target.counts();
  }
  if (options.nodeProfile != nullptr) {
    StoreRetentionTarget target(store, keys, nodeTenants);
    RetentionTarget* targets[] = {&target};
    PurgeReport swept = purgeExpired(*options.nodeProfile, clock, keys, targets);
    report.counts += target.counts();
    report.counts.erasedKeys += static_cast<int64_t>(swept.erasedSubjects.size());
  }
  report.counts.sessions = store.deleteExpiredSessions(toUnix(clock.wallNow()));

  if (options.audit != nullptr) {
    AuditEvent e;
    e.type = dicom::applicationActivity();
    e.subtype.push_back(retentionPurgeSubtype());
    e.action = AuditAction::Delete;
    e.recorded = clock.wallNow();
    e.outcome = report.problems.empty() ? AuditOutcome::Success : AuditOutcome::MinorFailure;
    e.outcomeDesc = "retention purge: " + report.counts.summary();
    e.agents.push_back(AuditAgent{"Device/medrtc-retention", "system", true, std::nullopt});
    options.audit->record(std::move(e));
  }
  return report;
}

}  // namespace medrtc::compliance
