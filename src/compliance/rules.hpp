#pragma once
// Rule checks: does this node's configuration, or this request, break the active policy
// profile? Every violation names the rule exactly as the profile file spells it, e.g.
// "policy kbv: rule recording.allowed=false", so an operator can find the line to read.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compliance/node_settings.hpp"
#include "compliance/policy_profile.hpp"

namespace medrtc::compliance {

enum class Severity {
  Refuse,  // the node must not start / the action must be refused
  NotMet,  // the profile asks for a feature this build does not have; reported, and the
           // server refuses to start only in strict mode (see refusesStart)
};

struct RuleViolation {
  std::string profile;      // "kbv"
  std::string rule;         // "recording.allowed"
  std::string ruleValue;    // "false" (the profile's value, as in the file)
  std::string detail;       // what the node or request did
  std::string requirement;  // requirement ids, e.g. "K8"
  Severity severity = Severity::Refuse;

  // "policy kbv: rule recording.allowed=false: <detail>"
  std::string message() const;
};

std::vector<RuleViolation> checkNodeConfig(const PolicyProfile& profile, const NodeSettings& settings);

// True when the node must not start: any Refuse, or in strict mode any NotMet as well.
bool refusesStart(const std::vector<RuleViolation>& violations, bool strict);

namespace action {
struct StartRecording {};
struct StartTranscription {};
// Creating a staff account or enabling one that was disabled.
struct EnableStaffAccount {
  bool mfaEnrolled = false;
};
struct AdmitThirdParticipant {
  bool hostApproved = false;
};
// Placing data (a room's media or a stored record) in a region.
struct PlaceMedia {
  std::string region;
};
struct StoreData {
  std::string region;
};
struct IssueTurnCredential {
  uint32_t ttlSeconds = 0;
};
}  // namespace action

using Action = std::variant<action::StartRecording, action::StartTranscription, action::EnableStaffAccount,
                            action::AdmitThirdParticipant, action::PlaceMedia, action::StoreData,
                            action::IssueTurnCredential>;

// nullopt: allowed. A returned violation always has Severity::Refuse.
std::optional<RuleViolation> checkAction(const PolicyProfile& profile, const Action& action);

// The staff-account rules of one tenant (H3, H8). A tenant is governed by its own profile
// (its policyProfile) and by the node's (--policy); either may be null. The node's profile
// is a floor: a tenant's own profile, --require-totp or a shorter idle time only tighten
// it. That is what lets the node's report speak for every tenant on the node, including
// ones created after the report.

// checkAction(EnableStaffAccount{mfaEnrolled}) under each governing profile, the tenant's
// own first; the first refusal names its profile's rule.
std::optional<RuleViolation> checkStaffAccount(const PolicyProfile* tenantProfile, const PolicyProfile* nodeProfile,
                                               bool mfaEnrolled);
// min(the tenant's setting, each governing profile's session.idle_logoff_minutes), at least 1.
uint32_t effectiveIdleLogoffMinutes(const PolicyProfile* tenantProfile, const PolicyProfile* nodeProfile,
                                    uint32_t tenantIdleMinutes);

}  // namespace medrtc::compliance
