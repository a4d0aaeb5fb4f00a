#pragma once
// What `medrtc serve` decides before it listens: the active policy profile, whether this
// node's settings break it (then the start is refused with the rule's name), the TLS
// context, and the per-participant TURN credentials. `compliance report` uses the same
// NodeSettings, so the report describes the configuration serve would run.
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/serve_config.hpp"
#include "clinic/auth_service.hpp"
#include "compliance/node_settings.hpp"
#include "compliance/policy_profile.hpp"
#include "compliance/rules.hpp"
#include "signaling/server.hpp"

namespace medrtc::app {

// The start is refused: what() is the first line to print, e.g.
// "policy kbv: rule regions.media=[…]: node region \"us-east\" is outside the allowed regions".
class StartRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SecuritySetup {
  std::optional<compliance::PolicyProfile> profile;  // nullopt: no profile enforced
  compliance::NodeSettings node;
  std::vector<compliance::RuleViolation> violations;  // NotMet ones (Refuse ones threw)
  std::string tlsMinVersion;                          // effective
  std::vector<std::string> notices;                   // to log at start (fingerprint, not-met rules)
  // --tls-self-signed: the certificate in use, for the start's log event.
  std::filesystem::path selfSignedCert;
  std::string selfSignedFingerprint;  // SHA-256
  bool selfSignedCreated = false;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool isLoopbackHost(const std::string& host);

// Loads the profile config.security.policy names (file:line:key errors → StartRefused).
std::optional<compliance::PolicyProfile> loadActiveProfile(const SecurityConfig& security);

// The node as the compliance rules see it, from the configuration alone (no files read).
// `profile` gives defaults (TLS version, TURN lifetime); `nodeProfile` is the profile the
// node actually runs under (--policy), whose account rules the clinic applies to every
// tenant. serve passes the same profile twice; `compliance report --profile X` may differ.
compliance::NodeSettings nodeSettingsFor(const ServeConfig& config, const compliance::PolicyProfile* profile,
                                         const compliance::PolicyProfile* nodeProfile);

// What the clinic enforces for staff on every tenant under `nodeProfile` (null: none):
// staff MFA and the longest idle time a session may reach (see compliance/rules.hpp
// checkStaffAccount, effectiveIdleLogoffMinutes).
void applyClinicEnforcement(compliance::NodeSettings& node, const compliance::PolicyProfile* nodeProfile);

// The profiles governing a tenant for the clinic's sign-in: the tenant's own policyProfile
// (loaded from `policiesDir` once, then cached) and `nodeProfile`. A tenant naming a
// profile that does not load gets an error (its sign-ins fail closed).
clinic::TenantProfileLookup tenantProfileLookup(std::filesystem::path policiesDir,
                                                std::optional<compliance::PolicyProfile> nodeProfile);

// Checks everything; throws StartRefused (policy rule, plain HTTP on a public address,
// policy file error) or std::invalid_argument (bad value). Reads no secret files.
SecuritySetup checkSecurity(const ServeConfig& config);

// Fills the server's TLS context, headers, policy refusals and TURN provider. Creates the
// self-signed certificate when asked; reads the TURN secret. Throws StartRefused.
void applySecurity(const ServeConfig& config, SecuritySetup& setup, signaling::ServerOptions& options);

}  // namespace medrtc::app
