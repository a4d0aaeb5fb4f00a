#pragma once
// Retention (K9, F4): once a subject's metadata retention ends, their personal data goes.
// On the audit side that means destroying the subject's key: the sealed fields become
// unreadable while every leaf hash, and so the signed chain, stays valid (F3).
// The store will plug in its own metadata purge as a RetentionTarget.
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
};

struct PurgeReport {
  WallTime cutoff;
  std::vector<std::string> erasedSubjects;
  std::vector<std::pair<std::string, uint64_t>> purgedByTarget;
};

// Erases the keys of subjects unused for longer than profile.metadataRetentionDays, then
// runs every other target with the same cutoff. Time comes from `clock` (tests use ManualClock).
PurgeReport purgeExpired(const PolicyProfile& profile, const Clock& clock, SubjectKeyStore& keys,
                         std::span<RetentionTarget* const> targets = {});

}  // namespace medrtc::compliance
