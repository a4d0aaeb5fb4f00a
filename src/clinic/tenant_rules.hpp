#pragma once
// The checks a new practice (tenant) passes before it is stored, shared by
// `medrtc admin create-tenant` and the first-run setup page (issue 15 item 1): one rule
// set, so a practice the browser creates is one the CLI would also have accepted.
#include <cstdint>
#include <optional>
#include <string>

#include "compliance/policy_profile.hpp"
#include "compliance/rules.hpp"
#include "store/store.hpp"

namespace medrtc::clinic {

// create-tenant accepts --idle-minutes up to a day; a profile caps it further.
inline constexpr uint32_t kMaxTenantIdleMinutes = 24 * 60;
inline constexpr size_t kMaxTenantNameChars = 200;

struct TenantCheck {
  // Set when the tenant must not be created: the text names the field or the rule.
  std::optional<std::string> refusal;
  // A governing profile requires staff MFA and the tenant did not ask for it: the caller
  // stores requireTotp=true and may say so (the violation names the rule).
  std::optional<compliance::RuleViolation> totpImplied;
};

// `own`: the tenant's policy profile (null: none); `node`: the node's --policy (null: none).
// The caller loaded both; an unknown profile name is its refusal to make.
TenantCheck checkNewTenant(const store::TenantRecord& tenant, const compliance::PolicyProfile* own,
                           const compliance::PolicyProfile* node);

}  // namespace medrtc::clinic
