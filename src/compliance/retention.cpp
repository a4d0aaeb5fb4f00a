#include "compliance/retention.hpp"

#include <set>

namespace medrtc::compliance {

PurgeReport purgeExpired(const PolicyProfile& profile, const Clock& clock, SubjectKeyStore& keys,
                         std::span<RetentionTarget* const> targets) {
  PurgeReport report;
  report.cutoff = clock.wallNow() - std::chrono::hours(24) * profile.metadataRetentionDays;
  if (profile.metadataRetentionDays == 0) {
    return report;
  }
  // Targets first: what they delete they erase themselves, and what they keep is live.
  std::set<std::string, std::less<>> live;
  for (RetentionTarget* target : targets) {
    report.purgedByTarget.emplace_back(target->name(), target->purgeBefore(report.cutoff));
    for (auto& subject : target->liveSubjects()) {
      live.insert(std::move(subject));
    }
  }
  for (const auto& info : keys.list()) {
    if (info.lastUsed < report.cutoff && !live.contains(info.subjectId) && keys.erase(info.subjectId)) {
      report.erasedSubjects.push_back(info.subjectId);
    }
  }
  return report;
}

}  // namespace medrtc::compliance
