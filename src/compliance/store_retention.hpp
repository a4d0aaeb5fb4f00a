#pragma once
// The store's side of retention (K9, F4): deletes consultation metadata past the
// profile's retention.metadata_days and erases the subject keys of what it deletes, and
// the job serve runs at start and hourly over every tenant with its own profile.
// The audit log itself is never purged here (its retention is audit.retention_days).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "compliance/audit_sink.hpp"
#include "compliance/policy_profile.hpp"
#include "compliance/retention.hpp"
#include "compliance/subject_keys.hpp"
#include "store/store.hpp"

namespace medrtc::compliance {

struct StorePurgeCounts {
  int64_t appointments = 0;
  int64_t invitations = 0;
  int64_t guests = 0;
  int64_t rooms = 0;
  int64_t sessions = 0;
  int64_t qualitySamples = 0;  // call-quality history rows (migration 7)
  int64_t erasedKeys = 0;  // subject keys erased (deleted appointments and swept subjects)

  StorePurgeCounts& operator+=(const StorePurgeCounts& o);
  int64_t total() const { return appointments + invitations + guests + rooms + sessions + qualitySamples; }
  // "appointments=1 invitations=2 …": counts only, never an id or a name (H7).
  std::string summary() const;
};

// Purges the metadata of `tenantIds` ("" = integrator rooms) ended before the cutoff,
// erases the keys of the appointments it deleted, and reports every user and remaining
// appointment as live (their keys are the store's, not the sweep's to erase).
class StoreRetentionTarget final : public RetentionTarget {
 public:
  StoreRetentionTarget(store::Store& store, SubjectKeyStore& keys, std::vector<std::string> tenantIds);
  std::string name() const override { return "store"; }
  uint64_t purgeBefore(WallTime cutoff) override;
  std::vector<std::string> liveSubjects() override;
  const StorePurgeCounts& counts() const { return counts_; }

 private:
  store::Store& store_;
  SubjectKeyStore& keys_;
  std::vector<std::string> tenantIds_;
  StorePurgeCounts counts_;
};

// A tenant's own profile by name ("kbv"), or nullopt when it cannot be loaded.
using ProfileLookup = std::function<std::optional<PolicyProfile>(const std::string& name)>;

struct RetentionRunOptions {
  const PolicyProfile* nodeProfile = nullptr;  // serve --policy; nullptr: none
  ProfileLookup tenantProfile;                 // may be empty: tenants' own profiles are ignored
  AuditSink* audit = nullptr;                  // one 110100 "retention purge" event per run
};

struct RetentionRunReport {
  StorePurgeCounts counts;
  std::vector<std::string> problems;  // e.g. a tenant's profile that failed to load (no names)
};

// One run of the job: each tenant under its own profile, or else the node's (a tenant
// with neither, or whose own profile does not load, is not purged); integrator rooms and the audit key sweep under the node
// profile; expired sign-in sessions always. Store failures propagate (StoreFailure).
RetentionRunReport runRetention(store::Store& store, SubjectKeyStore& keys, const Clock& clock,
                                const RetentionRunOptions& options);

}  // namespace medrtc::compliance
