#include "clinic/first_run_setup.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "clinic/clinic_audit.hpp"
#include "clinic/password.hpp"
#include "clinic/qr_svg.hpp"
#include "clinic/secrets.hpp"
#include "clinic/tenant_rules.hpp"
#include "clinic/totp.hpp"
#include "compliance/rules.hpp"

namespace medrtc::clinic {

namespace cp = compliance;

namespace {

constexpr size_t kMaxEmailChars = 254;  // RFC 5321 §4.5.3.1.3 path limit
constexpr size_t kMaxRegionChars = 64;
constexpr size_t kMaxDisplayNameChars = 200;
// The idle logoff a practice starts with (create-tenant's default), lowered to what a
// governing profile allows so that setup never trips the profile's own cap.
constexpr uint32_t kDefaultIdleMinutes = 15;

SetupFailure failure(SetupError e, std::string detail = "", int64_t retryAfter = 0) {
  return SetupFailure{e, std::move(detail), retryAfter};
}

}  // namespace

const char* toString(SetupError e) {
  switch (e) {
    case SetupError::kClosed: return "setup_closed";
    case SetupError::kBadToken: return "setup_token_invalid";
    case SetupError::kTooManyAttempts: return "too_many_attempts";
    case SetupError::kInvalid: return "invalid_field";
    case SetupError::kPolicyRefused: return "policy_refused";
    case SetupError::kNoEnrolment: return "setup_not_started";
    case SetupError::kTotpInvalid: return "totp_invalid";
    case SetupError::kSuperseded: return "setup_superseded";
  }
  return "invalid_field";
}

FirstRunSetup::FirstRunSetup(store::Store& store, const Clock& clock, compliance::AuditSink* audit,
                             TenantProfileLookup profiles)
    : store_(store), clock_(clock), audit_(audit), profiles_(std::move(profiles)) {}

std::string FirstRunSetup::drawToken(store::Store& store) {
  return store.countUsers() == 0 ? randomToken() : std::string();
}

int64_t FirstRunSetup::nowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
}

bool FirstRunSetup::open() {
  // Only while armed: a node set up long ago counts nothing on every GET.
  return armed() && openWith(store_.countUsers());
}

bool FirstRunSetup::openWith(int64_t users) {
  if (armed() && users > 0) {
    // An account made with `medrtc admin create-user` while the link was out: the
    // link dies with it, so a leaked console line cannot add a second admin later.
    close();
  }
  return armed();
}

void FirstRunSetup::close() {
  token_.clear();
  pending_.reset();
}

std::optional<SetupFailure> FirstRunSetup::checkToken(const std::string& token, const std::string& source,
                                                      int64_t now) {
  if (int64_t wait = failures_.retryAfter(source, now); wait > 0) {
    return failure(SetupError::kTooManyAttempts, "too many failed attempts; try again later", wait);
  }
  if (!armed()) {
    return failure(SetupError::kClosed, "this node is set up already; sign in at /login");
  }
  if (!secretEquals(token, token_)) {
    failures_.recordFailure(source, now);
    log::info("setup_refused", {{"reason", "bad_token"}});
    return failure(SetupError::kBadToken, "the setup link is not valid; use the link the server printed");
  }
  return std::nullopt;
}

Result<SetupEnrolment, SetupFailure> FirstRunSetup::begin(const SetupRequest& r) {
  auto started = startEnrolment(r);
  if (!started) {
    return fail(started.error());
  }
  int64_t users = 0;
  try {
    users = store_.countUsers();
    if (users == 0) {
      hashInto(*started);
    }
  } catch (...) {
    abandon(*started);
    throw;
  }
  return finishEnrolment(std::move(*started), users);
}

Result<SetupEnrolling, SetupFailure> FirstRunSetup::startEnrolment(const SetupRequest& r) {
  int64_t now = nowSeconds();
  if (auto refused = checkToken(r.token, r.sourceAddress, now)) {
    return fail(*refused);
  }
  std::string email = normalizeEmail(r.email);
  if (email.size() < 3 || email.size() > kMaxEmailChars || email.find('@') == std::string::npos) {
    return fail(failure(SetupError::kInvalid, "\"email\" must be an email address"));
  }
  if (r.password.size() < kMinPasswordChars || r.password.size() > kMaxPasswordBytes) {
    return fail(failure(SetupError::kInvalid,
                        "\"password\" must be at least " + std::to_string(kMinPasswordChars) + " characters"));
  }
  if (r.region.size() > kMaxRegionChars || r.displayName.size() > kMaxDisplayNameChars) {
    return fail(failure(SetupError::kInvalid, "\"region\" or \"display_name\" is too long"));
  }
  store::TenantRecord t;
  t.name = r.practiceName;
  t.policyProfile = r.policy;
  t.region = r.region;
  // The profiles that will govern the tenant, loaded the way sign-in loads them.
  TenantProfiles governing;
  if (!r.policy.empty()) {
    const auto& names = cp::builtInProfileNames();
    if (std::find(names.begin(), names.end(), r.policy) == names.end()) {
      return fail(failure(SetupError::kInvalid, "\"policy\" must be one of kbv, hipaa, gdpr, hds or empty"));
    }
  }
  if (profiles_) {
    auto loaded = profiles_(t);
    if (!loaded) {
      return fail(failure(SetupError::kPolicyRefused, loaded.error()));
    }
    governing = *loaded;
  } else if (!r.policy.empty()) {
    return fail(failure(SetupError::kPolicyRefused, "this node cannot load policy profiles"));
  }
  t.idleLogoffMinutes =
      static_cast<int>(cp::effectiveIdleLogoffMinutes(governing.tenant.get(), governing.node.get(), kDefaultIdleMinutes));
  TenantCheck check = checkNewTenant(t, governing.tenant.get(), governing.node.get());
  if (check.refusal) {
    bool field = t.name.empty() || t.name.size() > kMaxTenantNameChars;
    return fail(failure(field ? SetupError::kInvalid : SetupError::kPolicyRefused,
                        field ? "\"practice_name\" must be 1 to 200 characters" : *check.refusal));
  }
  t.requireTotp = check.totpImplied.has_value();

  SetupEnrolling out;
  out.pending.secret = newTotpSecret();
  store::UserRecord& u = out.pending.user;
  u.email = email;
  u.displayName = r.displayName;
  u.role = "admin";
  u.totpSecret = base32Encode(out.pending.secret);
  out.answer.secret = u.totpSecret;
  out.answer.otpauthUri = otpauthUri(t.name, email, out.answer.secret);
  auto svg = qrSvg(out.answer.otpauthUri);
  if (!svg) {
    return fail(failure(SetupError::kInvalid, "the practice name and email are too long for a QR code"));
  }
  out.answer.qrSvg = std::move(*svg);
  out.pending.tenant = std::move(t);
  out.password = r.password;
  out.sequence = ++begins_;
  enrolling_.insert(out.sequence);
  return out;
}

void FirstRunSetup::hashInto(SetupEnrolling& e) {
  // argon2id (64 MiB, ~70 ms): the routes run this on a password worker.
  e.pending.user.passwordHash = hashPassword(e.password);
  e.password.clear();
  e.hashed = true;
}

void FirstRunSetup::abandon(const SetupEnrolling& e) { enrolling_.erase(e.sequence); }

Result<SetupEnrolment, SetupFailure> FirstRunSetup::finishEnrolment(SetupEnrolling e, int64_t users) {
  abandon(e);
  // Made again here: a complete or an account may have closed setup while this begin
  // counted and hashed.
  if (!openWith(users)) {
    return fail(failure(SetupError::kClosed, "this node is set up already; sign in at /login"));
  }
  if (!e.hashed) {
    throw std::logic_error("first-run setup: an enrolment finished without its password hash");
  }
  // A second begin (the admin went back and changed a field) replaces the first: only
  // the newest secret is the one the app shows. "Newest" is the order the begins came
  // in, not the order their hashes finished.
  if (pending_ && e.sequence < pendingSequence_) {
    return fail(failure(SetupError::kSuperseded, "a newer start of the setup replaced this one; start again"));
  }
  pending_ = std::move(e.pending);
  pendingSequence_ = e.sequence;
  log::info("setup_enrolment_started");
  return std::move(e.answer);
}

Result<SetupDone, SetupFailure> FirstRunSetup::complete(const std::string& token, const std::string& code,
                                                        const std::string& sourceAddress) {
  auto claimed = claim(token, code, sourceAddress);
  if (!claimed) {
    return fail(claimed.error());
  }
  return finishAccounts(*claimed, storeAccounts(store_, *claimed));
}

Result<SetupClaim, SetupFailure> FirstRunSetup::claim(const std::string& token, const std::string& code,
                                                      const std::string& sourceAddress) {
  int64_t now = nowSeconds();
  if (auto refused = checkToken(token, sourceAddress, now)) {
    return fail(*refused);
  }
  if (!enrolling_.empty()) {
    // A begin still counting or hashing is about to replace the enrolment this code
    // would be checked against.
    return fail(failure(SetupError::kSuperseded,
                        "a newer start of the setup is still being prepared; enter the code for its QR code"));
  }
  if (!pending_) {
    return fail(failure(SetupError::kNoEnrolment, "start the setup first (practice and admin account)"));
  }
  auto step = verifyTotp(pending_->secret, code, now);
  if (!step) {
    failures_.recordFailure(sourceAddress, now);
    log::info("setup_refused", {{"reason", "totp_invalid"}});
    return fail(failure(SetupError::kTotpInvalid, "the code does not match; enter the code your app shows now"));
  }
  SetupClaim out{std::move(*pending_), *step, now, sourceAddress};
  // Closed before the writes: whatever happens after, the token has been used, and a
  // request overlapping this one finds setup closed.
  close();
  return out;
}

void FirstRunSetup::unclaim(std::string token, SetupClaim c) {
  if (armed()) {
    throw std::logic_error("first-run setup: a claim put back while setup is open");
  }
  token_ = std::move(token);
  pending_ = std::move(c.pending);  // pendingSequence_ still names its begin
  log::info("setup_claim_returned");
}

std::optional<FirstRunSetup::Stored> FirstRunSetup::storeAccounts(store::Store& store, SetupClaim c) {
  // Counted again with the writes: an account made since the begin (create-user) wins.
  if (store.countUsers() > 0) {
    return std::nullopt;
  }
  c.pending.tenant.createdAt = c.now;
  // Tenant then user, not one transaction: a store failure between them leaves a tenant
  // without users, which `medrtc admin create-user --tenant` can still complete.
  Stored out;
  out.tenant = store.createTenant(c.pending.tenant);
  c.pending.user.tenantId = out.tenant.id;
  c.pending.user.createdAt = c.now;
  out.user = store.createUser(c.pending.user);
  return out;
}

Result<SetupDone, SetupFailure> FirstRunSetup::finishAccounts(const SetupClaim& c, const std::optional<Stored>& stored,
                                                              const std::function<void(const SetupDone&)>& made) {
  if (!stored) {
    return fail(failure(SetupError::kClosed, "this node is set up already; sign in at /login"));
  }
  const store::TenantRecord& tenant = stored->tenant;
  const store::UserRecord& user = stored->user;
  log::info("setup_completed", {{"tenant", tenant.id}, {"user", user.id}});
  SetupDone done{tenant.id, user.id, c.step};
  if (made) {
    made(done);
  }
  // The new admin is the actor of both: the setup token stood for them.
  audit(audit_, AuditFacts{cp::dicom::securityAlert(), std::nullopt, cp::AuditAction::Create,
                           cp::AuditOutcome::Success, "tenant_created",
                           "first-run setup policy=" + (tenant.policyProfile.empty() ? "-" : tenant.policyProfile) +
                               " region=" + (tenant.region.empty() ? "-" : tenant.region),
                           user.id, "admin", c.sourceAddress, "Organization/" + tenant.id, "", std::nullopt});
  audit(audit_, AuditFacts{cp::dicom::securityAlert(), std::nullopt, cp::AuditAction::Create,
                           cp::AuditOutcome::Success, "user_created", "first-run setup role=admin totp=true", user.id,
                           "admin", c.sourceAddress, agentReference("admin", user.id), "Organization/" + tenant.id,
                           std::nullopt});
  return done;
}

}  // namespace medrtc::clinic
