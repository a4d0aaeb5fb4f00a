#pragma once
// Practitioner sign-in (docs/consultation-api.md "Sign-in"): password (argon2id) plus TOTP
// when the user has one or the tenant requires it, rate-limited per account and per
// source address; cookie sessions with idle logoff (H3) and a CSRF token.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "clinic/rate_limiter.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "compliance/audit_sink.hpp"
#include "store/store.hpp"

namespace medrtc::clinic {

inline constexpr std::string_view kSessionCookie = "medrtc_session";

struct AuthPolicy {
  // Failed sign-ins: 5 per 15 minutes per account, 20 per 15 minutes per address
  // (an office behind one NAT has several people typing passwords).
  size_t maxFailuresPerAccount = 5;
  size_t maxFailuresPerAddress = 20;
  int64_t failureWindowSeconds = 15 * 60;
  // A session ends after this long whatever the activity (idle logoff is per tenant).
  int64_t sessionMaxSeconds = 12 * 3600;
};

struct SignInRequest {
  std::string email;
  std::string password;
  std::optional<std::string> totp;
  std::string sourceAddress;
};

enum class SignInError { kInvalidCredentials, kTotpRequired, kTotpInvalid, kTooManyAttempts };
const char* toString(SignInError e);  // the problem+json `code`

struct SignInFailure {
  SignInError error;
  int64_t retryAfterSeconds = 0;  // kTooManyAttempts
};

// The signed-in person behind a request.
struct SessionContext {
  store::SessionRecord session;
  store::UserRecord user;
  store::TenantRecord tenant;
};

struct SignedIn {
  std::string cookieValue;  // the session id: only the client has it, the store keeps its hash
  SessionContext context;
};

enum class SessionError { kMissing, kExpired };

class AuthService {
 public:
  AuthService(store::Store& store, const Clock& clock, compliance::AuditSink* audit, AuthPolicy policy = {});

  Result<SignedIn, SignInFailure> signIn(const SignInRequest& request);
  // The session of a cookie value; refreshes its last-seen time. kExpired after the
  // tenant's idle time (idle_logoff_minutes) or the absolute limit: the session is gone.
  Result<SessionContext, SessionError> authenticate(std::string_view cookieValue);
  void signOut(std::string_view cookieValue, const std::string& sourceAddress);

  int64_t nowSeconds() const;

 private:
  void failed(const SignInRequest& r, const std::string& accountKey, const std::string& addressKey,
              const std::optional<store::UserRecord>& user, std::string_view why);

  store::Store& store_;
  const Clock& clock_;
  compliance::AuditSink* audit_;
  AuthPolicy policy_;
  FailureLimiter perAccount_;
  FailureLimiter perAddress_;
  // Last TOTP step each user signed in with: a code is good once (RFC 6238 §5.2).
  std::unordered_map<std::string, int64_t> lastTotpStep_;
};

// Lower-case ASCII, trimmed: sign-in and create-user compare emails this way.
std::string normalizeEmail(std::string_view email);

}  // namespace medrtc::clinic
