// Sign-in under policy profiles (H3, H8): a tenant is governed by its own profile and the
// node's; MFA where either requires it, idle logoff capped by both.
#include <cstdlib>

#include "clinic/auth_service.hpp"
#include "clinic/secrets.hpp"
#include "clinic_fixture.hpp"
#include "compliance/policy_profile.hpp"

namespace medrtc::clinic {
namespace {

using testing::ClinicFixture;

std::shared_ptr<const compliance::PolicyProfile> profile(const std::string& name) {
  std::filesystem::path dir = std::getenv("MEDRTC_SOURCE_DIR")
                                  ? std::filesystem::path(std::getenv("MEDRTC_SOURCE_DIR")) / "policies"
                                  : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path() /
                                        "policies";
  auto p = compliance::loadPolicyByName(name, dir);
  EXPECT_TRUE(p) << p.error().toString();
  return std::make_shared<const compliance::PolicyProfile>(std::move(p).value());
}

// The tenant's own profile by name (as app/security_setup.cpp loads it) and `node`.
TenantProfileLookup lookup(std::shared_ptr<const compliance::PolicyProfile> node) {
  return [node](const store::TenantRecord& t) -> Result<TenantProfiles, std::string> {
    if (t.policyProfile == "broken") {
      return fail(std::string("policies/broken.toml: no such profile"));
    }
    return TenantProfiles{t.policyProfile.empty() ? nullptr : profile(t.policyProfile), node};
  };
}

class AuthPolicyTest : public ClinicFixture {
 protected:
  std::unique_ptr<AuthService> service(std::shared_ptr<const compliance::PolicyProfile> node = nullptr) {
    AuthPolicy policy;
    policy.profiles = lookup(std::move(node));
    return std::make_unique<AuthService>(*store_, clock_, &audit_, policy);
  }
  store::TenantRecord tenant(const std::string& policy, bool requireTotp = false, int idleMinutes = 15) {
    store::TenantRecord t;
    t.name = "Praxis";
    t.policyProfile = policy;
    t.requireTotp = requireTotp;
    t.idleLogoffMinutes = idleMinutes;
    return store_->createTenant(t);
  }
  static SignInRequest req(std::optional<std::string> totp = std::nullopt) {
    return SignInRequest{"weber@example.org", "correct horse battery", std::move(totp), "192.0.2.1"};
  }
};

TEST_F(AuthPolicyTest, SignInWithoutTotpInAKbvTenantIsRefusedAndAudited) {
  // A tenant made before the profile was wired (no --require-totp) and a user without TOTP.
  auto t = tenant("kbv");
  makeUser(t, "weber@example.org", "practitioner");
  auto auth = service();
  auto r = auth->signIn(req());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, SignInError::kMfaNotEnrolled);
  EXPECT_STREQ(toString(r.error().error), "mfa_not_enrolled");
  EXPECT_EQ(r.error().detail,
            "policy kbv: rule accounts.staff_mfa_required=true: staff account without MFA refused");
  EXPECT_EQ(audit_.count("sign_in: mfa_not_enrolled"), 1u);
  EXPECT_EQ(audit_.events.back().outcome, compliance::AuditOutcome::MinorFailure);
  // A wrong password still says only that (nothing about the account's TOTP).
  auto wrong = auth->signIn(SignInRequest{"weber@example.org", "nope", std::nullopt, "192.0.2.1"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().error, SignInError::kInvalidCredentials);
}

TEST_F(AuthPolicyTest, SignInWithTotpInAKbvTenantWorks) {
  auto t = tenant("kbv", true);
  auto secret = newTotpSecret();
  makeUser(t, "weber@example.org", "practitioner", base32Encode(secret));
  auto auth = service();
  auto missing = auth->signIn(req());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().error, SignInError::kTotpRequired);
  EXPECT_TRUE(auth->signIn(req(totpAt(secret, now()))));
}

TEST_F(AuthPolicyTest, NodeProfileGovernsTenantsWithoutOrWithALaxerProfile) {
  auto own = tenant("");
  makeUser(own, "weber@example.org", "practitioner");
  auto onKbvNode = service(profile("kbv"));
  auto r = onKbvNode->signIn(req());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, SignInError::kMfaNotEnrolled);
  EXPECT_EQ(r.error().detail.rfind("policy kbv: rule accounts.staff_mfa_required=true", 0), 0u);

  auto gdpr = tenant("gdpr");
  makeUser(gdpr, "roth@example.org", "practitioner");
  auto laxer = onKbvNode->signIn(SignInRequest{"roth@example.org", "correct horse battery", std::nullopt, "192.0.2.1"});
  ASSERT_FALSE(laxer);
  EXPECT_EQ(laxer.error().error, SignInError::kMfaNotEnrolled);
}

TEST_F(AuthPolicyTest, GdprRequiresNoMfa) {
  auto t = tenant("gdpr");
  makeUser(t, "weber@example.org", "practitioner");
  EXPECT_TRUE(service(profile("gdpr"))->signIn(req()));
}

TEST_F(AuthPolicyTest, TenantRequiringTotpRefusesAnAccountWithoutOne) {
  auto t = tenant("", /*requireTotp=*/true);
  makeUser(t, "weber@example.org", "practitioner");
  auto r = service()->signIn(req());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, SignInError::kMfaNotEnrolled);
  EXPECT_NE(r.error().detail.find("--require-totp"), std::string::npos);
}

TEST_F(AuthPolicyTest, IdleLogoffIsCappedByTheProfile) {
  // The tenant asks for 60 minutes; gdpr caps at 30, a kbv node at 15.
  auto t = tenant("gdpr", false, 60);
  makeUser(t, "weber@example.org", "practitioner");
  auto auth = service();
  auto r = auth->signIn(req());
  ASSERT_TRUE(r);
  clock_.advance(std::chrono::minutes(29));
  ASSERT_TRUE(auth->authenticate(r->cookieValue));
  clock_.advance(std::chrono::minutes(30));
  auto expired = auth->authenticate(r->cookieValue);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error(), SessionError::kExpired);
  EXPECT_EQ(audit_.count("idle_logoff"), 1u);

  // Same tenant on a kbv node (MFA aside: a TOTP user): 15 minutes.
  auto secret = newTotpSecret();
  makeUser(t, "roth@example.org", "practitioner", base32Encode(secret));
  auto onKbvNode = service(profile("kbv"));
  auto s = onKbvNode->signIn(SignInRequest{"roth@example.org", "correct horse battery", totpAt(secret, now()),
                                           "192.0.2.1"});
  ASSERT_TRUE(s);
  clock_.advance(std::chrono::minutes(14));
  ASSERT_TRUE(onKbvNode->authenticate(s->cookieValue));
  clock_.advance(std::chrono::minutes(15));
  EXPECT_EQ(onKbvNode->authenticate(s->cookieValue).error(), SessionError::kExpired);
}

TEST_F(AuthPolicyTest, ATenantWhoseProfileDoesNotLoadFailsClosed) {
  auto t = tenant("broken");
  makeUser(t, "weber@example.org", "practitioner");
  auto r = service()->signIn(req());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, SignInError::kPolicyUnavailable);
  EXPECT_EQ(audit_.count("sign_in: policy_unavailable"), 1u);
}

}  // namespace
}  // namespace medrtc::clinic
