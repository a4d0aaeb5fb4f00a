#pragma once
// First-run setup in the browser (issue 15 item 1, README.md "First run"): on a node
// without accounts, `medrtc serve` draws a setup token and prints the link that carries
// it on its own console only (never into a log or the audit trail). Whoever holds the
// token creates the practice (tenant) and its first admin, in two steps:
//
//   begin:    practice, policy, region, email, password  → a new TOTP secret to enrol
//   complete: the code the authenticator app shows       → tenant + admin stored, audited
//
// The accounts are written only once the code proves the authenticator holds the secret,
// so an admin can never end up locked out by a mis-scanned QR code. The token is valid
// until setup completes, and refused as soon as any account exists (one created with
// `medrtc admin create-user` in the meantime included). Wrong tokens and codes count
// against the source address (a FailureLimiter), as sign-in failures do.
#include <cstdint>
#include <optional>
#include <string>

#include "clinic/auth_service.hpp"
#include "clinic/rate_limiter.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "compliance/audit_sink.hpp"
#include "store/store.hpp"

namespace medrtc::clinic {

struct SetupRequest {
  std::string token;
  std::string practiceName;
  std::string policy;  // a built-in profile name; "" = none
  std::string region;  // "" = none
  std::string email;
  std::string password;
  std::string displayName;
  std::string sourceAddress;
};

struct SetupEnrolment {
  std::string otpauthUri;
  std::string secret;  // base32, for typing into an app that cannot scan
  std::string qrSvg;   // the otpauth URI as a QR code (qr_svg.hpp)
};

struct SetupDone {
  std::string tenantId;
  std::string userId;
  int64_t totpStep = 0;  // the TOTP step the admin proved: spent, so sign-in refuses it again
};

enum class SetupError {
  kClosed,           // no token was drawn, setup completed, or accounts exist
  kBadToken,         // wrong token
  kTooManyAttempts,  // this address failed too often; retryAfterSeconds says how long
  kInvalid,          // a field is out of range; detail names it
  kPolicyRefused,    // a governing policy profile forbids the choice; detail names the rule
  kNoEnrolment,      // complete without begin
  kTotpInvalid,      // the code does not match the enrolled secret
};
const char* toString(SetupError e);  // the problem+json `code`

struct SetupFailure {
  SetupError error;
  std::string detail;
  int64_t retryAfterSeconds = 0;
};

class FirstRunSetup {
 public:
  // `profiles` loads the chosen profile and the node's (AuthPolicy::profiles); empty: no
  // profile can be chosen. Closed until arm().
  FirstRunSetup(store::Store& store, const Clock& clock, compliance::AuditSink* audit, TenantProfileLookup profiles);

  // A fresh token, or "" when the store already has accounts (then setup stays closed).
  static std::string drawToken(store::Store& store);
  // Opens setup for `token` (non-empty).
  void arm(std::string token) { token_ = std::move(token); }
  // True while a token is armed and the store has no accounts.
  bool open();

  Result<SetupEnrolment, SetupFailure> begin(const SetupRequest& request);
  Result<SetupDone, SetupFailure> complete(const std::string& token, const std::string& code,
                                           const std::string& sourceAddress);

 private:
  // A failure for a request whose token is wrong, limited or arrives when setup is closed.
  std::optional<SetupFailure> checkToken(const std::string& token, const std::string& source, int64_t now);
  int64_t nowSeconds() const;

  struct Pending {
    store::TenantRecord tenant;
    store::UserRecord user;  // password hashed, TOTP secret (base32) set
    std::vector<uint8_t> secret;
    int64_t lastAcceptedStep = -1;
  };

  store::Store& store_;
  const Clock& clock_;
  compliance::AuditSink* audit_;
  TenantProfileLookup profiles_;
  std::string token_;
  std::optional<Pending> pending_;
  // 10 wrong tokens or codes per address in 15 minutes: the 256-bit token cannot be
  // guessed anyway; the limit keeps a scanner from filling logs and CPU.
  FailureLimiter failures_{10, 15 * 60};
};

}  // namespace medrtc::clinic
