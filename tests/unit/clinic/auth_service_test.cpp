#include "clinic/auth_service.hpp"

#include "clinic/secrets.hpp"
#include "clinic_fixture.hpp"

namespace medrtc::clinic {
namespace {

using testing::ClinicFixture;

class AuthTest : public ClinicFixture {
 protected:
  AuthService auth_{*store_, clock_, &audit_};

  SignInRequest req(const std::string& email, const std::string& password,
                    std::optional<std::string> totp = std::nullopt, const std::string& addr = "192.0.2.1") {
    return SignInRequest{email, password, std::move(totp), addr};
  }
};

TEST_F(AuthTest, PasswordSignInCreatesAHashedSessionAndAudits) {
  auto t = makeTenant();
  auto u = makeUser(t, "weber@example.org", "practitioner");
  auto r = auth_.signIn(req("  Weber@Example.org ", "correct horse battery"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->context.user.id, u.id);
  EXPECT_EQ(r->cookieValue.size(), 43u);
  EXPECT_FALSE(r->context.session.csrfToken.empty());
  // The store has only the hash of the cookie value.
  EXPECT_FALSE(store_->findSession(r->cookieValue));
  EXPECT_TRUE(store_->findSession(hashSecret(r->cookieValue)));
  auto me = auth_.authenticate(r->cookieValue);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->tenant.id, t.id);
  EXPECT_EQ(audit_.count("sign_in"), 1u);
  EXPECT_EQ(audit_.events.back().agents[0].who, "Practitioner/" + u.id);
}

TEST_F(AuthTest, WrongPasswordAndUnknownEmailAreTheSameErrorAndAudited) {
  auto t = makeTenant();
  makeUser(t, "weber@example.org", "practitioner");
  auto wrong = auth_.signIn(req("weber@example.org", "nope"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().error, SignInError::kInvalidCredentials);
  auto unknown = auth_.signIn(req("nobody@example.org", "nope"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().error, SignInError::kInvalidCredentials);
  EXPECT_EQ(audit_.count("sign_in: invalid_credentials"), 2u);
  EXPECT_EQ(audit_.events[0].outcome, compliance::AuditOutcome::MinorFailure);
}

TEST_F(AuthTest, TotpRequiredThenInvalidThenGoodAndNoReplay) {
  auto t = makeTenant(/*requireTotp=*/true);
  auto secret = newTotpSecret();
  makeUser(t, "weber@example.org", "practitioner", base32Encode(secret));
  auto missing = auth_.signIn(req("weber@example.org", "correct horse battery"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().error, SignInError::kTotpRequired);
  std::string good = totpAt(secret, now());
  std::string bad = good == "000000" ? "111111" : "000000";
  auto invalid = auth_.signIn(req("weber@example.org", "correct horse battery", bad));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().error, SignInError::kTotpInvalid);
  ASSERT_TRUE(auth_.signIn(req("weber@example.org", "correct horse battery", good)));
  // The same code again (a shoulder-surfer replaying it) is refused.
  auto replay = auth_.signIn(req("weber@example.org", "correct horse battery", good));
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().error, SignInError::kTotpInvalid);
  clock_.advance(std::chrono::seconds(30));
  EXPECT_TRUE(auth_.signIn(req("weber@example.org", "correct horse battery", totpAt(secret, now()))));
}

TEST_F(AuthTest, FiveFailuresPerAccountLockItFifteenMinutes) {
  auto t = makeTenant();
  makeUser(t, "weber@example.org", "practitioner");
  for (int i = 0; i < 5; ++i) {
    // Different addresses: the per-account limit alone must stop this.
    auto r = auth_.signIn(req("weber@example.org", "guess" + std::to_string(i), std::nullopt, "198.51.100." +
                                                                                              std::to_string(i)));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().error, SignInError::kInvalidCredentials);
  }
  auto locked = auth_.signIn(req("weber@example.org", "correct horse battery"));
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().error, SignInError::kTooManyAttempts);
  EXPECT_EQ(locked.error().retryAfterSeconds, 900);
  clock_.advance(std::chrono::seconds(900));
  EXPECT_TRUE(auth_.signIn(req("weber@example.org", "correct horse battery")));
}

TEST_F(AuthTest, PerAddressLimitCoversManyAccounts) {
  auto t = makeTenant();
  for (int i = 0; i < 20; ++i) {
    ASSERT_FALSE(auth_.signIn(req("user" + std::to_string(i) + "@example.org", "x")));
  }
  auto r = auth_.signIn(req("someone@example.org", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, SignInError::kTooManyAttempts);
  auto elsewhere = auth_.signIn(req("someone@example.org", "x", std::nullopt, "203.0.113.9"));
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().error, SignInError::kInvalidCredentials);
}

TEST_F(AuthTest, IdleLogoffAfterTheTenantsMinutes) {
  auto t = makeTenant(false, /*idleMinutes=*/10);
  makeUser(t, "weber@example.org", "practitioner");
  auto r = auth_.signIn(req("weber@example.org", "correct horse battery"));
  ASSERT_TRUE(r);
  clock_.advance(std::chrono::minutes(9));
  ASSERT_TRUE(auth_.authenticate(r->cookieValue));  // activity refreshes last-seen
  clock_.advance(std::chrono::minutes(9));
  ASSERT_TRUE(auth_.authenticate(r->cookieValue));
  clock_.advance(std::chrono::minutes(10));
  auto expired = auth_.authenticate(r->cookieValue);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error(), SessionError::kExpired);
  EXPECT_EQ(auth_.authenticate(r->cookieValue).error(), SessionError::kMissing);  // gone for good
  EXPECT_EQ(audit_.count("idle_logoff"), 1u);
}

TEST_F(AuthTest, SignOutEndsTheSession) {
  auto t = makeTenant();
  makeUser(t, "weber@example.org", "practitioner");
  auto r = auth_.signIn(req("weber@example.org", "correct horse battery"));
  ASSERT_TRUE(r);
  auth_.signOut(r->cookieValue, "192.0.2.1");
  EXPECT_FALSE(auth_.authenticate(r->cookieValue));
  EXPECT_EQ(audit_.count("sign_out"), 1u);
  EXPECT_FALSE(auth_.authenticate(""));
  EXPECT_FALSE(auth_.authenticate(std::string(500, 'a')));
}

}  // namespace
}  // namespace medrtc::clinic
