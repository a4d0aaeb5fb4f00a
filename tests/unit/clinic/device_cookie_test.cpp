// Issue 10 item 8: device cookies make lockout not a denial of service. (a) an account
// without TOTP, locked by strangers' wrong passwords, still opens from its owner's known
// browser; (b) wrong TOTP codes from unknown browsers stop at a per-account limit,
// whatever the addresses they come from.
#include "clinic/auth_service.hpp"
#include "clinic/device_cookie.hpp"
#include "clinic/secrets.hpp"
#include "clinic/totp.hpp"
#include "clinic_fixture.hpp"

namespace medrtc::clinic {
namespace {

using testing::ClinicFixture;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kEmail = "weber@example.org";

std::vector<uint8_t> key(uint8_t fill) { return std::vector<uint8_t>(32, fill); }

TEST(DeviceCookies, VerifiesOnlyItsOwnUnexpiredCookies) {
  auto k = key(7);
  DeviceCookies cookies(k);
  std::string c = cookies.issue("u_0123abcd", 1'000'000);
  EXPECT_EQ(c.rfind("u_0123abcd.1000000.", 0), 0u) << "ids and numbers only: " << c;
  auto ok = cookies.verify(c, 1'000'000 + 3600);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->userId, "u_0123abcd");
  EXPECT_EQ(ok->issuedAt, 1'000'000);
  EXPECT_FALSE(ok->nonce.empty());
  EXPECT_NE(cookies.issue("u_0123abcd", 1'000'000), c) << "a fresh nonce each time";

  // Another account's id under the same MAC, another key, a truncated or altered MAC.
  std::string other = c;
  other.replace(0, 10, "u_9999abcd");
  EXPECT_FALSE(cookies.verify(other, 1'000'000));
  EXPECT_FALSE(DeviceCookies(key(8)).verify(c, 1'000'000));
  EXPECT_FALSE(cookies.verify(c.substr(0, c.size() - 1), 1'000'000));
  std::string flipped = c;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(cookies.verify(flipped, 1'000'000));
  EXPECT_FALSE(cookies.verify("", 1'000'000));
  EXPECT_FALSE(cookies.verify("....", 1'000'000));
  // 180 days, and not from the future.
  EXPECT_TRUE(cookies.verify(c, 1'000'000 + kDeviceCookieMaxAgeSeconds - 1));
  EXPECT_FALSE(cookies.verify(c, 1'000'000 + kDeviceCookieMaxAgeSeconds));
  EXPECT_FALSE(cookies.verify(c, 1'000'000 - 3600));
}

class DeviceCookieSignInTest : public ClinicFixture {
 protected:
  SignInRequest req(const std::string& password, std::optional<std::string> totp, const std::string& addr,
                    const std::string& device = "") {
    return SignInRequest{kEmail, password, std::move(totp), addr, device};
  }
  // Five strangers' wrong passwords from five addresses: the account's lock.
  void lockAccount(AuthService& auth) {
    for (int i = 0; i < 5; ++i) {
      ASSERT_FALSE(auth.signIn(req("guess", std::nullopt, "198.51.100." + std::to_string(i))));
    }
  }
  static void expectTooMany(const AuthService::SignInResult& r) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().error, SignInError::kTooManyAttempts);
    EXPECT_GT(r.error().retryAfterSeconds, 0);
  }
};

TEST_F(DeviceCookieSignInTest, StrangersLockAnAccountWithoutTotpButNotItsOwnersKnownBrowser) {
  AuthService auth(*store_, clock_, &audit_);
  makeUser(makeTenant(), kEmail, "practitioner");
  auto first = auth.signIn(req(kPassword, std::nullopt, "203.0.113.7"));
  ASSERT_TRUE(first);
  std::string device = first->deviceCookie;
  ASSERT_FALSE(device.empty());

  lockAccount(auth);
  // Gap (a): from a browser the server does not know, the owner is locked out.
  expectTooMany(auth.signIn(req(kPassword, std::nullopt, "203.0.113.7")));
  // From the browser that signed in before, the owner gets in, audited as such.
  auto owner = auth.signIn(req(kPassword, std::nullopt, "203.0.113.7", device));
  ASSERT_TRUE(owner) << toString(owner.error().error);
  EXPECT_EQ(audit_.count("sign_in: password from a known device while the account was locked"), 1u);
  // The owner's sign-in does not hand the strangers a fresh set of guesses.
  expectTooMany(auth.signIn(req("guess", std::nullopt, "198.51.100.99")));
  expectTooMany(auth.signIn(req(kPassword, std::nullopt, "198.51.100.99")));
}

TEST_F(DeviceCookieSignInTest, AKnownBrowsersFailuresHaveTheirOwnLimitAndDoNotLockTheAccount) {
  AuthService auth(*store_, clock_, &audit_);
  makeUser(makeTenant(), kEmail, "practitioner");
  auto first = auth.signIn(req(kPassword, std::nullopt, "203.0.113.7"));
  ASSERT_TRUE(first);
  for (int i = 0; i < 5; ++i) {
    auto r = auth.signIn(req("typo", std::nullopt, "203.0.113." + std::to_string(10 + i), first->deviceCookie));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().error, SignInError::kInvalidCredentials);
  }
  // Others are not locked out by the known browser's typos.
  ASSERT_TRUE(auth.signIn(req(kPassword, std::nullopt, "203.0.113.40")));
  // Past its own limit the cookie is worth nothing: the browser is an unknown one, and
  // the account's lock holds it like any other.
  lockAccount(auth);
  expectTooMany(auth.signIn(req(kPassword, std::nullopt, "203.0.113.41", first->deviceCookie)));
}

TEST_F(DeviceCookieSignInTest, ForgedOtherAccountsAndExpiredCookiesAreUnknownBrowsers) {
  AuthService auth(*store_, clock_, &audit_);
  auto tenant = makeTenant();
  makeUser(tenant, kEmail, "practitioner");
  makeUser(tenant, "other@example.org", "practitioner");
  auto mine = auth.signIn(req(kPassword, std::nullopt, "203.0.113.7"));
  auto theirs = auth.signIn(SignInRequest{"other@example.org", kPassword, std::nullopt, "203.0.113.8", ""});
  ASSERT_TRUE(mine);
  ASSERT_TRUE(theirs);
  std::string forged = mine->deviceCookie;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'x' ? 'y' : 'x';
  std::string otherKey = DeviceCookies(key(9)).issue(mine->context.user.id, now());

  lockAccount(auth);
  for (const std::string& cookie : {forged, theirs->deviceCookie, otherKey, std::string("garbage")}) {
    expectTooMany(auth.signIn(req(kPassword, std::nullopt, "203.0.113.20", cookie)));
  }
  // None of them passed for a known browser.
  EXPECT_EQ(audit_.count("sign_in: password from a known device"), 0u);
  ASSERT_TRUE(auth.signIn(req(kPassword, std::nullopt, "203.0.113.21", mine->deviceCookie)));

  // 180 days later the cookie has expired: the browser is unknown again.
  clock_.advance(std::chrono::seconds(kDeviceCookieMaxAgeSeconds));
  lockAccount(auth);
  expectTooMany(auth.signIn(req(kPassword, std::nullopt, "203.0.113.22", mine->deviceCookie)));
}

TEST_F(DeviceCookieSignInTest, AnotherAccountsCookieDoesNotEscapeTheLockWithAWrongPassword) {
  AuthService auth(*store_, clock_, &audit_);
  auto tenant = makeTenant();
  makeUser(tenant, kEmail, "practitioner");
  makeUser(tenant, "other@example.org", "practitioner");
  auto theirs = auth.signIn(SignInRequest{"other@example.org", kPassword, std::nullopt, "203.0.113.8", ""});
  ASSERT_TRUE(theirs);
  // Four strangers' failures, then a fifth with another account's cookie: it counts.
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(auth.signIn(req("guess", std::nullopt, "198.51.100." + std::to_string(i))));
  }
  auto fifth = auth.signIn(req("guess", std::nullopt, "198.51.100.9", theirs->deviceCookie));
  ASSERT_FALSE(fifth);
  EXPECT_EQ(fifth.error().error, SignInError::kInvalidCredentials);
  expectTooMany(auth.signIn(req(kPassword, std::nullopt, "203.0.113.30")));
}

TEST_F(DeviceCookieSignInTest, TotpGuessesFromManyAddressesStopAtTheAccountsLimit) {
  AuthService auth(*store_, clock_, &audit_);
  auto secret = newTotpSecret();
  makeUser(makeTenant(), kEmail, "practitioner", base32Encode(secret));
  auto first = auth.signIn(req(kPassword, totpAt(secret, now()), "203.0.113.7"));
  ASSERT_TRUE(first);
  clock_.advance(std::chrono::seconds(30));

  // Gap (b): someone with the password guesses codes from thirty fresh addresses.
  std::string good = totpAt(secret, now());
  std::string bad = good == "000000" ? "111111" : "000000";
  for (int i = 0; i < 30; ++i) {
    auto r = auth.signIn(req(kPassword, bad, "198.51.100." + std::to_string(i)));
    ASSERT_FALSE(r);
    if (i >= 10) {
      EXPECT_EQ(r.error().error, SignInError::kTooManyAttempts) << "attempt " << i;
    }
  }
  EXPECT_EQ(audit_.count("sign_in: totp_invalid"), 10u) << "only ten codes were checked";
  // Past the limit not even the right code opens it from an unknown browser.
  expectTooMany(auth.signIn(req(kPassword, good, "203.0.113.8")));
  // The owner's known browser is not held by it.
  auto owner = auth.signIn(req(kPassword, good, "203.0.113.7", first->deviceCookie));
  ASSERT_TRUE(owner) << toString(owner.error().error);
  EXPECT_EQ(audit_.count("sign_in: password+totp from a known device while the account was locked"), 1u);
  // When the window has passed, a new browser may try again.
  clock_.advance(std::chrono::seconds(15 * 60));
  ASSERT_TRUE(auth.signIn(req(kPassword, totpAt(secret, now()), "203.0.113.9")));
}

TEST_F(DeviceCookieSignInTest, TotpGuessesAreCappedPerDayAcrossWindows) {
  AuthPolicy policy;
  policy.maxTotpFailuresPerAccountPerDay = 15;
  AuthService auth(*store_, clock_, &audit_, policy);
  auto secret = newTotpSecret();
  makeUser(makeTenant(), kEmail, "practitioner", base32Encode(secret));
  for (int window = 0; window < 3; ++window) {
    for (int i = 0; i < 12; ++i) {
      std::string good = totpAt(secret, now());
      auto r = auth.signIn(req(kPassword, good == "000000" ? "111111" : "000000",
                               "198.51.100." + std::to_string(window * 20 + i)));
      ASSERT_FALSE(r);
    }
    clock_.advance(std::chrono::seconds(15 * 60 + 1));
  }
  EXPECT_EQ(audit_.count("sign_in: totp_invalid"), 15u);
}

}  // namespace
}  // namespace medrtc::clinic
