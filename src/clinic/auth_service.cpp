#include "clinic/auth_service.hpp"
#include "log/log.hpp"


#include <algorithm>
#include <cctype>

#include "clinic/clinic_audit.hpp"
#include "clinic/password.hpp"
#include "clinic/secrets.hpp"
#include "clinic/totp.hpp"
#include "common/ip_prefix.hpp"
#include "compliance/rules.hpp"

namespace medrtc::clinic {

namespace cp = compliance;

const char* toString(SignInError e) {
  switch (e) {
    case SignInError::kInvalidCredentials: return "invalid_credentials";
    case SignInError::kTotpRequired: return "totp_required";
    case SignInError::kTotpInvalid: return "totp_invalid";
    case SignInError::kTooManyAttempts: return "too_many_attempts";
    case SignInError::kMfaNotEnrolled: return "mfa_not_enrolled";
    case SignInError::kPolicyUnavailable: return "policy_unavailable";
    case SignInError::kUnavailable: return "unavailable";
  }
  return "invalid_credentials";
}

std::string normalizeEmail(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) {
    email.remove_prefix(1);
  }
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) {
    email.remove_suffix(1);
  }
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

namespace {

// What the governing profiles and the tenant's own settings demand of a staff account.
struct AccountRules {
  std::optional<cp::RuleViolation> mfaRule;  // a profile requires MFA (its rule, for the error)
  bool totpRequired = false;                 // that, or the tenant's --require-totp
  int64_t idleSeconds = 0;
};

Result<AccountRules, std::string> accountRules(const TenantProfileLookup& lookup, const store::TenantRecord& t) {
  TenantProfiles profiles;
  if (lookup) {
    auto found = lookup(t);
    if (!found) {
      return fail(found.error());
    }
    profiles = std::move(found).value();
  }
  AccountRules rules;
  rules.mfaRule = cp::checkStaffAccount(profiles.tenant.get(), profiles.node.get(), /*mfaEnrolled=*/false);
  rules.totpRequired = t.requireTotp || rules.mfaRule.has_value();
  uint32_t tenantMinutes = static_cast<uint32_t>(std::max(t.idleLogoffMinutes, 1));
  rules.idleSeconds =
      int64_t{cp::effectiveIdleLogoffMinutes(profiles.tenant.get(), profiles.node.get(), tenantMinutes)} * 60;
  return rules;
}

}  // namespace

AuthService::AuthService(store::Store& store, const Clock& clock, cp::AuditSink* audit, AuthPolicy policy)
    : store_(store),
      clock_(clock),
      audit_(audit),
      policy_(policy),
      perAccount_(policy.maxFailuresPerAccount, policy.failureWindowSeconds),
      perAddress_(policy.maxFailuresPerAddress, policy.failureWindowSeconds),
      perDevice_(policy.maxFailuresPerDevice, policy.failureWindowSeconds),
      totpPerAccount_(policy.maxTotpFailuresPerAccount, policy.failureWindowSeconds),
      totpPerAccountPerDay_(policy.maxTotpFailuresPerAccountPerDay, 24 * 3600),
      deviceCookies_(policy_.deviceCookieKey),
      refusals_(policy_.refusals ? policy_.refusals : std::make_shared<RefusalAudit>(audit, clock)) {}

int64_t AuthService::nowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
}

void AuthService::failed(Attempt& a, const std::optional<store::UserRecord>& user, std::string_view why) {
  const SignInRequest& r = a.request;
  int64_t now = nowSeconds();
  // A known browser's failures are its own: they must not lock the owner out elsewhere.
  if (a.device) {
    if (!a.deviceCounted) {
      perDevice_.recordFailure(a.deviceKey, now);
      a.deviceCounted = true;
    }
  } else if (!a.accountCounted) {
    perAccount_.recordFailure(a.accountKey, now);
    a.accountCounted = true;
  }
  if (!a.addressCounted) {
    perAddress_.recordFailure(a.addressKey, now);
    a.addressCounted = true;
  }
  // The email a stranger typed is not recorded (it may be a patient's address); the user
  // id is, when the account exists (H1).
  log::info("sign_in_failed",
            {{"user", user ? user->id : ""}, {"reason", why}, {"device", a.device ? "known" : "unknown"}});
  // A refused attempt: nothing to undo if its evidence fails, so the control thread does
  // not wait for the disk (300 wrong passwords are not 300 fdatasyncs in a row on it).
  auditLater(audit_, AuditFacts{cp::dicom::userAuthentication(), cp::dicom::login(), cp::AuditAction::Execute,
                           cp::AuditOutcome::MinorFailure, "sign_in", std::string(why), user ? user->id : "",
                           user ? user->role : "anonymous", r.sourceAddress,
                           user ? "Organization/" + user->tenantId : "", "", std::nullopt},
             logAuditFailure("sign_in_failed"));
}

void AuthService::uncount(Attempt& a) {
  if (a.deviceCounted) {
    perDevice_.forgetLatest(a.deviceKey);
    a.deviceCounted = false;
  }
  if (a.accountCounted) {
    perAccount_.forgetLatest(a.accountKey);
    a.accountCounted = false;
  }
  if (a.addressCounted) {
    perAddress_.forgetLatest(a.addressKey);
    a.addressCounted = false;
  }
}

int64_t AuthService::totpLockedFor(const std::string& accountKey, int64_t now) {
  return std::max(totpPerAccount_.retryAfter(accountKey, now), totpPerAccountPerDay_.retryAfter(accountKey, now));
}

void AuthService::distrust(Attempt& a, int64_t now) {
  // The cookie's count stays: a cookie tried against other accounts soon reaches its
  // limit and is then not even considered, so it cannot buy hashes past their lock.
  a.deviceCounted = false;
  a.device.reset();
  a.accountLockedFor = perAccount_.retryAfter(a.accountKey, now);
  if (a.accountLockedFor == 0) {
    perAccount_.recordFailure(a.accountKey, now);
    a.accountCounted = true;
  }
}

SignInFailure AuthService::rateLimited(const SignInRequest& r, const std::string& addressKey, int64_t wait,
                                       std::string_view why) {
  // One event per source per window with the count (issue 10 item 6), and a log line
  // only with it: 30,000 refused attempts are not 30,000 fdatasyncs.
  AuditFacts facts{cp::dicom::securityAlert(), cp::dicom::login(), cp::AuditAction::Execute,
                   cp::AuditOutcome::MinorFailure, "sign_in_rate_limited", std::string(why), "", "anonymous",
                   r.sourceAddress, "", "", std::nullopt};
  if (refusals_->refuse(facts, addressKey)) {
    log::info("sign_in_refused", {{"reason", "too_many_attempts"}, {"retry_after", wait}});
  }
  return SignInFailure{SignInError::kTooManyAttempts, wait};
}

Result<AuthService::Attempt, SignInFailure> AuthService::begin(const SignInRequest& r, bool lookUpNow) {
  int64_t now = nowSeconds();
  Attempt a;
  a.request = r;
  std::string email = normalizeEmail(r.email);
  a.accountKey = "account:" + email;
  a.addressKey = "address:" + limitSourceKey(r.sourceAddress);
  // The address limit comes first and costs nothing: a flood from one source (or /64)
  // never reaches the hash.
  if (int64_t wait = perAddress_.retryAfter(a.addressKey, now); wait > 0) {
    return fail(rateLimited(r, a.addressKey, wait, "address"));
  }
  // A browser that once signed in to the account (its device cookie) is not held by the
  // account's lock: strangers' guesses cannot lock the owner out (issue 10 item 8). Whether
  // the cookie names this account is known after the look-up (finish). A cookie over its
  // own limit makes an unknown browser's attempt, as OWASP's device cookies do.
  if (!r.deviceCookie.empty()) {
    if (auto device = deviceCookies_.verify(r.deviceCookie, now)) {
      std::string key = "device:" + device->nonce;
      if (perDevice_.retryAfter(key, now) == 0) {
        a.device = std::move(device);
        a.deviceKey = std::move(key);
      }
    }
  }
  bool hasCode = r.totp && !r.totp->empty();
  if (!a.device) {
    // A locked account is not locked for its owner: a request that brings a TOTP code is
    // still checked, and only password + code together let it in. Without a code it is
    // refused here, so a guesser learns nothing (no totp_required oracle).
    a.accountLockedFor = perAccount_.retryAfter(a.accountKey, now);
    if (a.accountLockedFor > 0 && !hasCode) {
      return fail(rateLimited(r, a.addressKey, a.accountLockedFor, "account"));
    }
    // Codes from unknown browsers have a limit per account, whatever the address: past
    // it none is checked (someone with the password cannot guess codes from many sources).
    if (int64_t wait = hasCode ? totpLockedFor(a.accountKey, now) : 0; wait > 0) {
      return fail(rateLimited(r, a.addressKey, std::max(wait, a.accountLockedFor), "totp"));
    }
  }
  a.email = email;
  if (lookUpNow) {
    lookUp(store_, a);
  }
  // Count the attempt as a failure now: with the hash on other threads, many attempts can
  // be in flight at once, and each must see the others or a burst would get past the
  // limit. A locked account is not counted in advance (its failures are counted when they
  // happen), so taking an attempt back can never unlock it. A known browser counts against
  // its own limit instead.
  if (a.device) {
    perDevice_.recordFailure(a.deviceKey, now);
    a.deviceCounted = true;
  } else if (a.accountLockedFor == 0) {
    perAccount_.recordFailure(a.accountKey, now);
    a.accountCounted = true;
  }
  perAddress_.recordFailure(a.addressKey, now);
  a.addressCounted = true;
  return a;
}

void AuthService::lookUp(store::Store& store, Attempt& a) {
  if (!a.email.empty() && a.request.password.size() <= kMaxPasswordBytes) {
    a.user = store.findUserByEmail(a.email);
  }
  if (a.user && (a.user->disabled || a.user->passwordHash.empty())) {
    a.user.reset();
  }
}

bool AuthService::checkPassword(const Attempt& a) {
  if (!a.user) {
    verifyPasswordDummy(a.request.password);
    return false;
  }
  return verifyPassword(a.user->passwordHash, a.request.password);
}

AuthService::SignInResult AuthService::signIn(const SignInRequest& r) {
  auto attempt = begin(r);
  if (!attempt) {
    return fail(attempt.error());
  }
  bool ok = checkPassword(*attempt);
  return finish(*attempt, ok);
}

namespace {

SignInFailure unavailable() { return SignInFailure{SignInError::kUnavailable, 1, "sign-in is unavailable; try again"}; }
SignInFailure busy() {
  return SignInFailure{SignInError::kUnavailable, 1, "too many sign-ins at once; try again in a moment"};
}

}  // namespace

void AuthService::signInAsync(const SignInRequest& r, std::function<void(SignInResult)> done) {
  bool pooled = policy_.storePool != nullptr;
  auto attempt = begin(r, !pooled);
  if (!attempt) {
    done(fail(attempt.error()));
    return;
  }
  auto shared = std::make_shared<Attempt>(std::move(attempt).value());
  if (!pooled) {
    hashThenFinish(shared, std::move(done));
    return;
  }
  // The account and its tenant come from the store pool: a slow database delays this
  // sign-in, not the control thread.
  auto error = std::make_shared<std::string>();  // set when the look-up failed
  auto looked = [this, shared, error, done]() {
    if (!error->empty()) {
      log::error("sign_in_error", {{"code", "internal"}, {"error", *error}});
      uncount(*shared);  // the store failed, not the password
      done(fail(unavailable()));
      return;
    }
    hashThenFinish(shared, done);
  };
  auto work = [shared, error](store::Store& store) {
    try {
      lookUp(store, *shared);
      if (shared->user) {
        shared->tenant = store.findTenant(shared->user->tenantId);
      }
    } catch (const std::exception& e) {
      *error = std::string("store: ") + e.what();
    }
  };
  if (!policy_.storePool->submit(std::move(work), std::move(looked))) {
    uncount(*shared);  // busy is not a failed guess
    done(fail(busy()));
  }
}

void AuthService::hashThenFinish(std::shared_ptr<Attempt> shared, std::function<void(SignInResult)> done) {
  bool pooled = policy_.storePool != nullptr;
  // With a store pool the session is written there before the answer.
  auto complete = [this, pooled, done](SignInResult result) {
    if (pooled && result) {
      storeSession(std::move(result).value(), done);
      return;
    }
    done(std::move(result));
  };
  if (!policy_.passwordWorkers) {
    bool ok = checkPassword(*shared);
    complete(finish(*shared, ok, !pooled));
    return;
  }
  // Empty until the hash ran: a hash that threw on its worker (out of memory for argon2's
  // 64 MiB) is not a wrong password and must not count as one.
  auto ok = std::make_shared<std::optional<bool>>();
  auto finishLater = [this, shared, ok, complete, pooled]() {
    SignInResult result = fail(unavailable());
    if (!ok->has_value()) {
      uncount(*shared);
      complete(std::move(result));
      return;
    }
    try {
      result = finish(*shared, **ok, !pooled);
    } catch (const std::exception& e) {
      // A store or audit failure after the hash: this runs from the event loop, where an
      // exception would end the server; the request gets a 503 instead. A correct password
      // that failed on the infrastructure is not a guess: it must not lock the owner out.
      log::error("sign_in_failed", {{"code", "internal"}, {"error", e.what()}});
      if (**ok) {
        uncount(*shared);
      }
    }
    complete(std::move(result));
  };
  if (!policy_.passwordWorkers->submit([shared, ok] { *ok = checkPassword(*shared); }, std::move(finishLater))) {
    uncount(*shared);  // busy is not a failed guess: load must not lock anyone out
    complete(fail(busy()));
  }
}

void AuthService::storeSession(SignedIn in, std::function<void(SignInResult)> done) {
  auto signedIn = std::make_shared<SignedIn>(std::move(in));
  auto error = std::make_shared<std::string>();
  int64_t now = nowSeconds();
  auto written = [signedIn, error, done]() {
    if (!error->empty()) {
      log::error("sign_in_error", {{"code", "internal"}, {"error", *error}});
      done(fail(unavailable()));
      return;
    }
    log::info("signed_in", {{"user", signedIn->context.user.id}, {"tenant", signedIn->context.tenant.id}});
    done(std::move(*signedIn));
  };
  auto work = [signedIn, error, now](store::Store& store) {
    try {
      store.createSession(signedIn->context.session);
      store.deleteExpiredSessions(now);
    } catch (const std::exception& e) {
      *error = std::string("store: ") + e.what();
    }
  };
  if (!policy_.storePool->submit(std::move(work), std::move(written))) {
    done(fail(busy()));
  }
}

AuthService::SignInResult AuthService::finish(Attempt& a, bool passwordOk, bool writeSession) {
  const SignInRequest& r = a.request;
  const std::string& accountKey = a.accountKey;
  const std::string& addressKey = a.addressKey;
  int64_t now = nowSeconds();
  bool hasCode = r.totp && !r.totp->empty();
  if (a.device && (!a.user || a.user->id != a.device->userId)) {
    // Another account's cookie (or none that exists): an unknown browser after all, held
    // by this account's lock as begin() would have held it.
    distrust(a, now);
    if (a.accountLockedFor > 0 && !hasCode) {
      // The hash was spent: the attempt stays counted against its address (giving it back
      // would let fresh cookies of one's own account buy hashes against locked ones).
      return fail(rateLimited(r, addressKey, a.accountLockedFor, "account"));
    }
  }
  bool trusted = a.device.has_value();
  // Checked again here: attempts that passed begin() together may have reached the TOTP
  // limit since.
  int64_t totpWait = !trusted && hasCode ? totpLockedFor(accountKey, now) : 0;
  int64_t lockedFor = std::max(a.accountLockedFor, totpWait);
  bool locked = lockedFor > 0;
  // While the account is locked every failure looks the same: too_many_attempts.
  auto refuse = [&](SignInError error, std::string detail = {}) {
    return locked ? SignInFailure{SignInError::kTooManyAttempts, lockedFor}
                  : SignInFailure{error, 0, std::move(detail)};
  };
  if (!a.user) {
    failed(a, std::nullopt, "invalid_credentials");
    return fail(refuse(SignInError::kInvalidCredentials));
  }
  auto& user = a.user;
  if (!passwordOk) {
    failed(a, user, "invalid_credentials");
    return fail(refuse(SignInError::kInvalidCredentials));
  }
  auto tenant = a.tenant ? *a.tenant : store_.findTenant(user->tenantId);
  if (!tenant) {
    failed(a, user, "tenant_missing");
    return fail(refuse(SignInError::kInvalidCredentials));
  }
  auto rules = accountRules(policy_.profiles, *tenant);
  if (!rules) {
    log::error("sign_in_refused", {{"user", user->id}, {"tenant", tenant->id}, {"reason", "policy_unavailable"},
                                   {"error", rules.error()}});
    failed(a, user, "policy_unavailable");
    return fail(refuse(SignInError::kPolicyUnavailable, "the practice's policy profile cannot be loaded"));
  }
  if (rules->totpRequired && user->totpSecret.empty()) {
    // The password was right, but no code can ever be: refuse with the rule, so the user
    // knows to ask the administrator to enrol TOTP (create-user --totp).
    std::string rule = rules->mfaRule ? rules->mfaRule->message()
                                      : "this practice requires TOTP for every account (--require-totp)";
    failed(a, user, "mfa_not_enrolled");
    return fail(refuse(SignInError::kMfaNotEnrolled, rule));
  }
  bool needsTotp = !user->totpSecret.empty() || rules->totpRequired;
  if (locked && !needsTotp) {
    // A right password alone is what a successful guess looks like: an account without a
    // second factor stays locked for the window (docs/limits.md says why). Not a failed
    // guess either, so not counted.
    uncount(a);
    return fail(rateLimited(r, addressKey, lockedFor, "account"));
  }
  if (needsTotp) {
    if (!r.totp || r.totp->empty()) {
      // The password was right: not a failure to count, the client now asks for the code
      // (taken back first, so an audit failure below cannot count it against the owner).
      uncount(a);
      // Audited all the same (H6): a correct password from an unexpected source is the
      // first sign of a stolen one, even when the second factor then holds. Once per
      // account per window with a count (issue 10 item 6): someone holding the password
      // but not the code cannot write one fsynced event per attempt.
      refusals_->refuse(AuditFacts{cp::dicom::userAuthentication(), cp::dicom::login(), cp::AuditAction::Execute,
                                   cp::AuditOutcome::MinorFailure, "sign_in", "totp_required", user->id,
                                   user->role, r.sourceAddress, "Organization/" + tenant->id, "", std::nullopt},
                        "totp_required:" + user->id);
      return fail(SignInFailure{SignInError::kTotpRequired});
    }
    if (totpWait > 0) {
      // Unknown browsers have used up the account's codes: this one is not even checked.
      uncount(a);
      return fail(rateLimited(r, addressKey, lockedFor, "totp"));
    }
    auto key = base32Decode(user->totpSecret);
    std::optional<int64_t> step;
    if (key && !key->empty()) {
      step = verifyTotp(*key, *r.totp, now);
    }
    auto last = lastTotpStep_.find(user->id);
    if (!step || (last != lastTotpStep_.end() && *step <= last->second)) {
      if (!trusted) {
        totpPerAccount_.recordFailure(accountKey, now);
        totpPerAccountPerDay_.recordFailure(accountKey, now);
      }
      failed(a, user, "totp_invalid");
      return fail(refuse(SignInError::kTotpInvalid));
    }
    lastTotpStep_[user->id] = *step;
  }
  uncount(a);
  // A known browser clears only its own failures: the strangers' count on the account
  // stands, or the owner's sign-in would give them a fresh set of guesses.
  bool lockedForOthers = trusted && perAccount_.retryAfter(accountKey, now) > 0;
  if (trusted) {
    perDevice_.reset(a.deviceKey);
  } else {
    perAccount_.reset(accountKey);
  }

  SignedIn out;
  out.cookieValue = randomToken();
  out.deviceCookie = deviceCookies_.issue(user->id, now);
  store::SessionRecord s;
  s.idHash = hashSecret(out.cookieValue);
  s.userId = user->id;
  s.tenantId = tenant->id;
  s.csrfToken = randomToken();
  s.createdAt = now;
  s.lastSeenAt = now;
  s.expiresAt = now + policy_.sessionMaxSeconds;
  std::string how = needsTotp ? "password+totp" : "password";
  if (trusted) {
    how += " from a known device";
  }
  if (locked || lockedForOthers) {
    how += " while the account was locked";
  }
  audit(audit_, AuditFacts{cp::dicom::userAuthentication(), cp::dicom::login(), cp::AuditAction::Execute,
                           cp::AuditOutcome::Success, "sign_in", how,
                           user->id, user->role, r.sourceAddress, "Organization/" + tenant->id, "", std::nullopt});
  if (writeSession) {
    store_.createSession(s);
    store_.deleteExpiredSessions(now);
    log::info("signed_in", {{"user", user->id}, {"tenant", tenant->id}});
  }
  out.context = SessionContext{std::move(s), std::move(*user), std::move(*tenant)};
  return out;
}

AuthService::SessionCheck AuthService::checkSession(store::Store& store, std::string_view cookieValue,
                                                   int64_t now) const {
  SessionCheck out{fail(SessionError::kMissing), std::nullopt};
  if (cookieValue.empty() || cookieValue.size() > 128) {
    return out;
  }
  std::string idHash = hashSecret(cookieValue);
  auto session = store.findSession(idHash);
  if (!session) {
    return out;
  }
  auto user = store.findUser(session->userId);
  auto tenant = user ? store.findTenant(user->tenantId) : std::nullopt;
  if (!user || !tenant || user->disabled) {
    store.deleteSession(idHash);
    return out;
  }
  auto rules = accountRules(policy_.profiles, *tenant);
  if (!rules) {
    // Fail closed: no session runs without the rules of its tenant.
    store.deleteSession(idHash);
    log::error("session_ended", {{"user", user->id}, {"tenant", tenant->id}, {"reason", "policy_unavailable"},
                                 {"error", rules.error()}});
    return out;
  }
  int64_t idle = rules->idleSeconds;
  if (now - session->lastSeenAt >= idle || now >= session->expiresAt) {
    store.deleteSession(idHash);
    log::info("session_expired", {{"user", user->id}, {"reason", now >= session->expiresAt ? "max_age" : "idle"}});
    out.result = fail(SessionError::kExpired);
    out.idleLogoff = AuditFacts{cp::dicom::userAuthentication(), cp::dicom::logout(), cp::AuditAction::Execute,
                                cp::AuditOutcome::Success, "idle_logoff", "", user->id, user->role, "",
                                "Organization/" + tenant->id, "", std::nullopt};
    return out;
  }
  store.touchSession(idHash, now);
  session->lastSeenAt = now;
  out.result = SessionContext{std::move(*session), std::move(*user), std::move(*tenant)};
  return out;
}

Result<SessionContext, SessionError> AuthService::authenticate(std::string_view cookieValue) {
  SessionCheck check = checkSession(store_, cookieValue, nowSeconds());
  if (check.idleLogoff) {
    audit(audit_, *check.idleLogoff);
  }
  return std::move(check.result);
}

void AuthService::auditIdleLogoff(const SessionCheck& check) {
  if (check.idleLogoff) {
    // The session is gone either way (keeping an expired one is no undo): a failed write is
    // logged, as for other evidence of what cannot be taken back.
    auditLater(audit_, *check.idleLogoff, logAuditFailure("idle_logoff user=" + check.idleLogoff->actorId));
  }
}

std::optional<AuthService::SignOut> AuthService::endSession(store::Store& store, std::string_view cookieValue,
                                                           const std::string& sourceAddress) {
  if (cookieValue.empty() || cookieValue.size() > 128) {
    return std::nullopt;
  }
  std::string idHash = hashSecret(cookieValue);
  auto session = store.findSession(idHash);
  if (!session) {
    return std::nullopt;
  }
  store.deleteSession(idHash);
  // The account's own role (an admin or staff member signs out as such); an account gone
  // since sign-in is named by id alone.
  auto user = store.findUser(session->userId);
  std::string role = user ? user->role : "unknown";
  AuditFacts facts{cp::dicom::userAuthentication(), cp::dicom::logout(), cp::AuditAction::Execute,
                   cp::AuditOutcome::Success, "sign_out", "", session->userId, role, sourceAddress,
                   "Organization/" + session->tenantId, "", std::nullopt};
  return SignOut{std::move(*session), std::move(facts)};
}

void AuthService::signOut(std::string_view cookieValue, const std::string& sourceAddress) {
  auto ended = endSession(store_, cookieValue, sourceAddress);
  if (ended) {
    audit(audit_, ended->event);
  }
}

}  // namespace medrtc::clinic
