#pragma once
// `medrtc compliance report --profile kbv`: every requirement of the profile, how this
// node meets it, and pass / fail / not-met. "not-met" means the feature is not built (or
// not wired) in this build: it is never turned into "pass" by a configuration flag.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "compliance/node_settings.hpp"
#include "compliance/policy_profile.hpp"
#include "compliance/rules.hpp"

namespace medrtc::compliance {

enum class RequirementStatus { Pass, Fail, NotMet };
const char* statusName(RequirementStatus s);  // "pass" | "fail" | "not-met"

struct RequirementResult {
  std::string id;     // "K1", "H4", "F3"
  std::string title;
  std::vector<std::string> rules;  // profile keys involved
  RequirementStatus status = RequirementStatus::NotMet;
  std::string how;    // how the running configuration meets it, or why not
  std::string code;   // where it is enforced
  std::string tests;  // which tests prove it
};

struct ComplianceReport {
  std::string profile;
  std::string title;
  NodeSettings node;
  std::vector<RequirementResult> requirements;
  std::vector<RuleViolation> violations;  // from checkNodeConfig

  size_t count(RequirementStatus s) const;
};

ComplianceReport buildReport(const PolicyProfile& profile, const NodeSettings& settings);
std::string renderMarkdown(const ComplianceReport& report);
std::string renderJson(const ComplianceReport& report);

// CLI entry: format "markdown" or "json". Exit code 0 when no requirement fails (not-met
// requirements, features this build lacks, are listed but are no failure of this node's
// configuration), 1 when any fails, 2 when the profile cannot be loaded or the format is unknown.
int runComplianceReport(const std::string& profileName, const std::filesystem::path& policiesDir,
                        const NodeSettings& settings, const std::string& format, std::ostream& out);

}  // namespace medrtc::compliance
