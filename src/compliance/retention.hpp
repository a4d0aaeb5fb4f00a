#pragma once
// Retention (K9, F4): once a subject's metadata retention ends, their personal data goes.
// On the audit side that means destroying the subject's key: the sealed fields become
// unreadable while every leaf hash, and so the signed chain, stays valid (F3).
// The store plugs in its metadata purge as a RetentionTarget (store_retention.hpp).
#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "compliance/policy_profile.hpp"
#include "compliance/subject_keys.hpp"

namespace medrtc::compliance {

class RetentionTarget {
 public:
  virtual ~RetentionTarget() = default;
  virtual std::string name() const = 0;
  // Deletes this target's metadata last touched before `cutoff`; returns how many items.
  virtual uint64_t purgeBefore(WallTime cutoff) = 0;
  // Subjects whose data this target still holds after its purge (a staff account, a
  // future appointment): their keys stay, however long ago they were last used.
  virtual std::vector<std::string> liveSubjects() { return {}; }
};

struct PurgeReport {
  WallTime cutoff;
  std::vector<std::string> erasedSubjects;
  std::vector<std::pair<std::string, uint64_t>> purgedByTarget;
};

// Runs every target with the cutoff now - profile.metadataRetentionDays, then erases the
// keys of subjects unused since the cutoff that no target still holds. A profile without
// a metadata limit (0) purges nothing. Time comes from `clock` (tests use ManualClock).
PurgeReport purgeExpired(const PolicyProfile& profile, const Clock& clock, SubjectKeyStore& keys,
                         std::span<RetentionTarget* const> targets = {});

}  // namespace medrtc::compliance
