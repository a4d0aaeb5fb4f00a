#pragma once
// Practitioner sign-in (docs/consultation-api.md "Sign-in"): password (argon2id) plus TOTP
// when the user has one, the tenant requires it or a governing policy profile requires
// staff MFA (H8), rate-limited per account and per source address (an IPv6 /64 counts as
// one); cookie sessions with idle logoff (H3) and a CSRF token.
//
// Lockout is not a denial of service (issue 10 item 8, docs/security.md "Sign-in
// limits"): an address over its limit is refused before any work, but an account over its
// limit still signs in with the password and a valid TOTP code, from any address not
// itself limited; without a code, or with anything wrong, it answers too_many_attempts
// and reveals nothing about the password. A browser with a device cookie of the account
// (device_cookie.hpp) is not held by the account's lock at all: it has its own limit, so
// strangers cannot lock out an owner without TOTP. Wrong TOTP codes from unknown browsers
// have a per-account limit of their own (NIST SP 800-63B §5.2.2).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clinic/clinic_audit.hpp"
#include "clinic/device_cookie.hpp"
#include "clinic/password_workers.hpp"
#include "store/store_pool.hpp"
#include "clinic/rate_limiter.hpp"
#include "clinic/refusal_audit.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "compliance/audit_sink.hpp"
#include "compliance/policy_profile.hpp"
#include "store/store.hpp"

namespace medrtc::clinic {

inline constexpr std::string_view kSessionCookie = "medrtc_session";

// The policy profiles that govern a tenant's staff accounts: the tenant's own
// (policyProfile) and the node's (--policy); null when there is none. The node's profile
// is a floor for every tenant (compliance/rules.hpp checkStaffAccount).
struct TenantProfiles {
  std::shared_ptr<const compliance::PolicyProfile> tenant;
  std::shared_ptr<const compliance::PolicyProfile> node;
};
// An error (the text says why) when the tenant names a profile that cannot be loaded: its
// sign-ins and sessions then fail closed rather than run without the rules.
using TenantProfileLookup = std::function<Result<TenantProfiles, std::string>(const store::TenantRecord&)>;

struct AuthPolicy {
  // Failed sign-ins: 5 per 15 minutes per account, 20 per 15 minutes per address
  // (an office behind one NAT has several people typing passwords).
  size_t maxFailuresPerAccount = 5;
  size_t maxFailuresPerAddress = 20;
  int64_t failureWindowSeconds = 15 * 60;
  // Failed sign-ins from one known browser (its device cookie), in the same window: they
  // neither lock the account nor are held by its lock.
  size_t maxFailuresPerDevice = 5;
  // Wrong TOTP codes from unknown browsers, per account: 10 per window and 100 per day
  // (NIST SP 800-63B §5.2.2 allows at most 100 failed attempts per authenticator).
  size_t maxTotpFailuresPerAccount = 10;
  size_t maxTotpFailuresPerAccountPerDay = 100;
  // Signs device cookies (app: derived from the token secret); empty: a per-process key.
  std::vector<uint8_t> deviceCookieKey;
  // A session ends after this long whatever the activity (idle logoff is per tenant).
  int64_t sessionMaxSeconds = 12 * 3600;
  // app/security_setup.cpp tenantProfileLookup; empty: no profile governs any tenant
  // (tools and tests without a node policy). Called from the store pool's threads too
  // (checkSession): it must be safe to call from several threads.
  TenantProfileLookup profiles;
  // Where signInAsync runs argon2id (the server's pool); null: on the calling thread.
  std::shared_ptr<PasswordWorkers> passwordWorkers;
  // Where signInAsync runs its store calls (the account and tenant look-up, the session
  // write); null: on the calling thread with the service's own store.
  std::shared_ptr<store::StorePool> storePool;
  // Rate-limited sign-ins are audited once per source per window; null: the service keeps
  // its own (the server shares one with the signaling hub and flushes it on a timer).
  std::shared_ptr<RefusalAudit> refusals;
};

struct SignInRequest {
  std::string email;
  std::string password;
  std::optional<std::string> totp;
  std::string sourceAddress;
  std::string deviceCookie;  // the medrtc_device cookie's value the browser sent, if any
};

enum class SignInError {
  kInvalidCredentials,
  kTotpRequired,
  kTotpInvalid,
  kTooManyAttempts,
  kMfaNotEnrolled,     // password right, but MFA is required and the account has no TOTP
  kPolicyUnavailable,  // the tenant's policy profile cannot be loaded: fail closed
  kUnavailable,        // the hashing queue is full or the store failed: try again later
};
const char* toString(SignInError e);  // the problem+json `code`

struct SignInFailure {
  SignInError error;
  int64_t retryAfterSeconds = 0;  // kTooManyAttempts, kUnavailable
  // kMfaNotEnrolled: the rule, e.g. "policy kbv: rule accounts.staff_mfa_required=true: …".
  std::string detail;
};

// The signed-in person behind a request.
struct SessionContext {
  store::SessionRecord session;
  store::UserRecord user;
  store::TenantRecord tenant;
};

struct SignedIn {
  std::string cookieValue;  // the session id: only the client has it, the store keeps its hash
  std::string deviceCookie;  // a fresh medrtc_device value for this browser and account
  SessionContext context;
};

enum class SessionError { kMissing, kExpired };

class AuthService {
 public:
  AuthService(store::Store& store, const Clock& clock, compliance::AuditSink* audit, AuthPolicy policy = {});

  using SignInResult = Result<SignedIn, SignInFailure>;
  SignInResult signIn(const SignInRequest& request);
  // A TOTP code of `userId` already used elsewhere (first-run setup): sign-in refuses that
  // step and earlier ones, as it does for its own (RFC 6238 §5.2, one use per code).
  void spendTotpStep(const std::string& userId, int64_t step) {
    int64_t& last = lastTotpStep_[userId];
    last = std::max(last, step);
  }
  // The same, with the password hash on policy.passwordWorkers and the store calls on
  // policy.storePool: `done` runs later on the calling thread (through their posters), or
  // at once when there are neither, the limits refuse, or a queue is full. Without a store
  // pool it throws what the first store lookup throws.
  void signInAsync(const SignInRequest& request, std::function<void(SignInResult)> done);
  // The session of a cookie value; refreshes its last-seen time. kExpired after the
  // effective idle time (min of the tenant's idle_logoff_minutes and the governing
  // profiles' session.idle_logoff_minutes) or the absolute limit: the session is gone.
  // Audits an idle logoff with the blocking AuditSink::record: tools and tests; the server
  // uses checkSession on its store pool.
  Result<SessionContext, SessionError> authenticate(std::string_view cookieValue);
  void signOut(std::string_view cookieValue, const std::string& sourceAddress);

  // authenticate in two steps, for the REST routes' session check off the control thread
  // (signaling/store_job.hpp): checkSession does every store call (read the session, its
  // user and tenant; delete a dead one, refresh a live one) on any thread with that
  // thread's `store`; auditIdleLogoff then, on the control thread, writes the idle logoff's
  // event without blocking.
  struct SessionCheck {
    Result<SessionContext, SessionError> result;
    std::optional<AuditFacts> idleLogoff;  // set when this check ended the session
  };
  SessionCheck checkSession(store::Store& store, std::string_view cookieValue, int64_t now) const;
  void auditIdleLogoff(const SessionCheck& check);
  // signOut's store part: deletes the session (any thread, that thread's store) and says
  // what to audit. Fail closed: the caller audits `event` (recordLater) and puts `session`
  // back (store.createSession) when that fails.
  struct SignOut {
    store::SessionRecord session;
    AuditFacts event;
  };
  static std::optional<SignOut> endSession(store::Store& store, std::string_view cookieValue,
                                           const std::string& sourceAddress);

  int64_t nowSeconds() const;

  // What a sign-in carries from the limits and lookup (control thread) through the hash
  // (any thread) to the session (control thread).
  struct Attempt {
    SignInRequest request;
    std::string accountKey;
    std::string addressKey;
    std::string email;                      // normalised
    std::optional<store::UserRecord> user;  // set when it may sign in (exists, enabled, has a password)
    // The user's tenant when the store pool looked it up with the user (finish() reads it
    // then instead of the store).
    std::optional<std::optional<store::TenantRecord>> tenant;
    int64_t accountLockedFor = 0;           // > 0: only password + TOTP may pass
    // A valid device cookie not over its own limit: the account's lock does not apply,
    // failures count per device. Checked against the account once it is looked up
    // (another account's cookie makes the attempt an unknown one after all).
    std::optional<DeviceCookie> device;
    std::string deviceKey;
    bool deviceCounted = false;
    // Counted as failures in advance (begin), so that the hashes running at once for one
    // account or address cannot exceed its limit; taken back when it does not fail.
    bool accountCounted = false;
    bool addressCounted = false;
  };

 private:
  // The limits, then (with `lookUp`) the account on the calling thread.
  Result<Attempt, SignInFailure> begin(const SignInRequest& r, bool lookUp = true);
  // Looks up the account (and its tenant) in `store`; any thread.
  static void lookUp(store::Store& store, Attempt& a);
  // The hash and the rest of signInAsync once `a` knows its account.
  void hashThenFinish(std::shared_ptr<Attempt> a, std::function<void(SignInResult)> done);
  // Writes the session of a successful sign-in on the store pool, then answers.
  void storeSession(SignedIn in, std::function<void(SignInResult)> done);
  static bool checkPassword(const Attempt& a);
  // `writeSession` false: the caller stores the session (on the store pool).
  SignInResult finish(Attempt& a, bool passwordOk, bool writeSession = true);
  SignInFailure rateLimited(const SignInRequest& r, const std::string& addressKey, int64_t wait,
                            std::string_view why);
  void failed(Attempt& a, const std::optional<store::UserRecord>& user, std::string_view why);
  // Takes back the failures `a` counted in advance: it turned out not to be one.
  void uncount(Attempt& a);
  // The seconds until unknown browsers may send `accountKey` TOTP codes again; 0: now.
  int64_t totpLockedFor(const std::string& accountKey, int64_t now);
  // `a` brought a cookie of another account: from now on it is an unknown browser's attempt.
  void distrust(Attempt& a, int64_t now);

  store::Store& store_;
  const Clock& clock_;
  compliance::AuditSink* audit_;
  AuthPolicy policy_;
  FailureLimiter perAccount_;
  FailureLimiter perAddress_;
  FailureLimiter perDevice_;
  FailureLimiter totpPerAccount_;
  FailureLimiter totpPerAccountPerDay_;
  DeviceCookies deviceCookies_;
  std::shared_ptr<RefusalAudit> refusals_;
  // Last TOTP step each user signed in with: a code is good once (RFC 6238 §5.2).
  std::unordered_map<std::string, int64_t> lastTotpStep_;
};

// Lower-case ASCII, trimmed: sign-in and create-user compare emails this way.
std::string normalizeEmail(std::string_view email);

}  // namespace medrtc::clinic
