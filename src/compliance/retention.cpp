#include "compliance/retention.hpp"

namespace medrtc::compliance {

PurgeReport purgeExpired(const PolicyProfile& profile, const Clock& clock, SubjectKeyStore& keys,
                         std::span<RetentionTarget* const> targets) {
  PurgeReport report;
  report.cutoff = clock.wallNow() - std::chrono::hours(24) * profile.metadataRetentionDays;
  for (const auto& info : keys.list()) {
    if (info.lastUsed < report.cutoff && keys.erase(info.subjectId)) {
      report.erasedSubjects.push_back(info.subjectId);
    }
  }
  for (RetentionTarget* target : targets) {
    report.purgedByTarget.emplace_back(target->name(), target->purgeBefore(report.cutoff));
  }
  return report;
}

}  // namespace medrtc::compliance
