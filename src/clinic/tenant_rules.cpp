#include "clinic/tenant_rules.hpp"

namespace medrtc::clinic {

TenantCheck checkNewTenant(const store::TenantRecord& t, const compliance::PolicyProfile* own,
                           const compliance::PolicyProfile* node) {
  TenantCheck out;
  if (t.name.empty() || t.name.size() > kMaxTenantNameChars) {
    out.refusal = "the name must be 1 to " + std::to_string(kMaxTenantNameChars) + " characters";
    return out;
  }
  if (t.idleLogoffMinutes < 1 || t.idleLogoffMinutes > static_cast<int>(kMaxTenantIdleMinutes)) {
    out.refusal = "the idle logoff must be 1 to " + std::to_string(kMaxTenantIdleMinutes) + " minutes";
    return out;
  }
  // The tenant's own profile and the node's both govern it (serve applies both at sign-in).
  for (const compliance::PolicyProfile* p : {own, node}) {
    if (p == nullptr) {
      continue;
    }
    // Worded for the CLI flag: the setup page picks a value within every cap itself.
    if (static_cast<uint32_t>(t.idleLogoffMinutes) > p->idleLogoffMinutes) {
      out.refusal = "policy " + p->name + ": rule session.idle_logoff_minutes=" +
                    std::to_string(p->idleLogoffMinutes) + ": --idle-minutes " +
                    std::to_string(t.idleLogoffMinutes) + " is longer than the profile allows";
      return out;
    }
    if (!t.region.empty()) {
      if (auto v = compliance::checkAction(*p, compliance::action::StoreData{t.region})) {
        out.refusal = v->message();
        return out;
      }
    }
  }
  // A clinic admin who picks kbv expects kbv's MFA rule to hold, not a second flag to
  // remember: TOTP is implied.
  if (auto v = compliance::checkStaffAccount(own, node, /*mfaEnrolled=*/false); v && !t.requireTotp) {
    out.totpImplied = std::move(v);
  }
  return out;
}

}  // namespace medrtc::clinic
