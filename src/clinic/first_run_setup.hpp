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
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

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
  kSuperseded,       // a newer begin replaced this one's enrolment
};
const char* toString(SetupError e);  // the problem+json `code`

struct SetupFailure {
  SetupError error;
  std::string detail;
  int64_t retryAfterSeconds = 0;
};

// What a begin prepared and its later steps carry (the REST routes run it in steps:
// FirstRunSetup::startEnrolment … finishEnrolment).
struct SetupPending {
  store::TenantRecord tenant;
  store::UserRecord user;  // password hashed (once hashed), TOTP secret (base32) set
  std::vector<uint8_t> secret;
  int64_t lastAcceptedStep = -1;
};
struct SetupEnrolling {
  SetupPending pending;
  SetupEnrolment answer;
  std::string password;  // hashed into pending.user.passwordHash by hashInto
  uint64_t sequence = 0;  // the begin's place in arrival order: the newest begin wins
  bool hashed = false;
};
// What a complete claimed (the token and the enrolment, taken on the control thread) for
// the store work that follows.
struct SetupClaim {
  SetupPending pending;
  int64_t step = 0;
  int64_t now = 0;
  std::string sourceAddress;
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
  // True while a token is armed and the store has no accounts (counted with `store`).
  bool open();
  // True while a token is armed; nothing is read.
  bool armed() const { return !token_.empty(); }
  // The same as open() from a count of accounts read elsewhere (the store pool): accounts
  // close setup for good.
  bool openWith(int64_t users);

  // One step after the other on this thread, with the store given to the constructor
  // (tools and tests).
  Result<SetupEnrolment, SetupFailure> begin(const SetupRequest& request);
  Result<SetupDone, SetupFailure> complete(const std::string& token, const std::string& code,
                                           const std::string& sourceAddress);

  // The same in steps, for the REST routes: the checks and the state on the control
  // thread, the account count and the writes on the store pool, the argon2id hash on a
  // password worker. Every check that another request may be about to change is made in
  // the step on the control thread that changes it, or made again there after the
  // asynchronous steps (docs/security.md "First-run setup").
  //
  // begin: startEnrolment (the token, its failure limit, the fields, the policy; counts
  // the begin as in flight) → the count of accounts (pool) → hashInto (worker) →
  // finishEnrolment (the token still armed, no accounts, no newer begin stored; stores
  // the enrolment). Every started enrolment ends with finishEnrolment or abandon
  // (idempotent), on the control thread.
  Result<SetupEnrolling, SetupFailure> startEnrolment(const SetupRequest& request);
  static void hashInto(SetupEnrolling& enrolling);
  Result<SetupEnrolment, SetupFailure> finishEnrolment(SetupEnrolling enrolling, int64_t users);
  void abandon(const SetupEnrolling& enrolling);
  // complete: claim (the token, its failure limit, the enrolment and its code; refused
  // while a begin is in flight, as that begin is about to replace the enrolment; takes the
  // enrolment and closes the token at once, so an overlapping request finds it closed) →
  // storeAccounts (pool; nullopt when accounts exist by now) → finishAccounts (audits).
  Result<SetupClaim, SetupFailure> claim(const std::string& token, const std::string& code,
                                         const std::string& sourceAddress);
  // Puts back a claim whose writes never started (the store pool's queue was full): the
  // token and the enrolment are as before the claim, so the admin's retry can pass. Only
  // on the control thread, right after claim() returned, before anything else ran there.
  void unclaim(std::string token, SetupClaim claim);
  struct Stored {
    store::TenantRecord tenant;
    store::UserRecord user;
  };
  static std::optional<Stored> storeAccounts(store::Store& store, SetupClaim claim);
  // `made` runs once the accounts are known to be stored and before they are audited: the
  // route spends the TOTP step there, so an audit that throws (the answer is then a
  // failure, the accounts stand) leaves no setup code usable for a sign-in.
  Result<SetupDone, SetupFailure> finishAccounts(const SetupClaim& claim, const std::optional<Stored>& stored,
                                                 const std::function<void(const SetupDone&)>& made = {});

 private:
  // A failure for a request whose token is wrong, limited or arrives when setup is closed.
  // The account count is not read here (open() / openWith do).
  std::optional<SetupFailure> checkToken(const std::string& token, const std::string& source, int64_t now);
  int64_t nowSeconds() const;
  void close();

  store::Store& store_;
  const Clock& clock_;
  compliance::AuditSink* audit_;
  TenantProfileLookup profiles_;
  std::string token_;
  std::optional<SetupPending> pending_;
  uint64_t pendingSequence_ = 0;  // the begin that stored pending_
  uint64_t begins_ = 0;           // begins started so far (their sequence numbers)
  std::set<uint64_t> enrolling_;  // begins started and not yet finished or abandoned
  // 10 wrong tokens or codes per address in 15 minutes: the 256-bit token cannot be
  // guessed anyway; the limit keeps a scanner from filling logs and CPU.
  FailureLimiter failures_{10, 15 * 60};
};

}  // namespace medrtc::clinic
