// First-run setup (clinic/first_run_setup.hpp): the token's lifetime, one-time use, and
// refusal once any account exists; the accounts appear only after the TOTP code proves
// the enrolment; both creations are audited and the token never is.
#include "clinic/first_run_setup.hpp"

#include "clinic/qr_svg.hpp"
#include "clinic/secrets.hpp"
#include "clinic_fixture.hpp"
#include "compliance/policy_profile.hpp"

namespace medrtc::clinic {
namespace {

using testing::ClinicFixture;

class FirstRunSetupTest : public ClinicFixture {
 protected:
  FirstRunSetupTest() { setup_.arm(token_); }

  SetupRequest request(std::string token = "") {
    SetupRequest r;
    r.token = token.empty() ? token_ : token;
    r.practiceName = "Praxis Sonnenschein";
    r.email = "Admin@Example.org";
    r.password = "correct horse battery";
    r.sourceAddress = "192.0.2.7";
    return r;
  }

  std::vector<uint8_t> secretOf(const SetupEnrolment& e) { return *base32Decode(e.secret); }

  std::string token_ = randomToken();
  FirstRunSetup setup_{*store_, clock_, &audit_, {}};
};

TEST_F(FirstRunSetupTest, DrawsATokenOnlyWhileTheStoreHasNoAccounts) {
  std::string first = FirstRunSetup::drawToken(*store_);
  EXPECT_EQ(first.size(), 43u);
  EXPECT_NE(first, FirstRunSetup::drawToken(*store_));
  makeUser(makeTenant(), "someone@example.org", "admin");
  EXPECT_EQ(FirstRunSetup::drawToken(*store_), "");
}

TEST_F(FirstRunSetupTest, ClosedUntilArmed) {
  FirstRunSetup unarmed{*store_, clock_, &audit_, {}};
  EXPECT_FALSE(unarmed.open());
  auto r = unarmed.begin(request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, SetupError::kClosed);
}

TEST_F(FirstRunSetupTest, CreatesTenantAndAdminOnlyAfterTheCodeMatches) {
  ASSERT_TRUE(setup_.open());
  auto enrolment = setup_.begin(request());
  ASSERT_TRUE(enrolment) << enrolment.error().detail;
  EXPECT_EQ(enrolment->otpauthUri.rfind("otpauth://totp/", 0), 0u);
  EXPECT_NE(enrolment->otpauthUri.find("secret=" + enrolment->secret), std::string::npos);
  EXPECT_EQ(enrolment->qrSvg.rfind("<svg", 0), 0u);
  // Nothing stored before the code.
  EXPECT_EQ(store_->countUsers(), 0);
  EXPECT_EQ(store_->countTenants(), 0);
  auto secret = secretOf(*enrolment);
  std::string good = totpAt(secret, now());
  auto wrong = setup_.complete(token_, good == "000000" ? "111111" : "000000", "192.0.2.7");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().error, SetupError::kTotpInvalid);
  EXPECT_EQ(store_->countUsers(), 0);

  auto done = setup_.complete(token_, good, "192.0.2.7");
  ASSERT_TRUE(done) << done.error().detail;
  auto user = store_->findUser(done->userId);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->role, "admin");
  EXPECT_EQ(user->tenantId, done->tenantId);
  EXPECT_EQ(user->email, "admin@example.org");
  EXPECT_EQ(user->totpSecret, enrolment->secret);
  EXPECT_TRUE(verifyPassword(user->passwordHash, "correct horse battery"));
  auto tenant = store_->findTenant(done->tenantId);
  ASSERT_TRUE(tenant);
  EXPECT_EQ(tenant->name, "Praxis Sonnenschein");
  EXPECT_EQ(audit_.count("tenant_created"), 1u);
  EXPECT_EQ(audit_.count("user_created"), 1u);
  for (const auto& e : audit_.events) {
    EXPECT_EQ(e.outcomeDesc.find(token_), std::string::npos);
    EXPECT_EQ(e.agents[0].who, "Practitioner/" + done->userId);
  }
}

TEST_F(FirstRunSetupTest, TheTokenWorksOnce) {
  auto enrolment = setup_.begin(request());
  ASSERT_TRUE(enrolment);
  ASSERT_TRUE(setup_.complete(token_, totpAt(secretOf(*enrolment), now()), ""));
  EXPECT_FALSE(setup_.open());
  auto again = setup_.begin(request());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().error, SetupError::kClosed);
  auto complete = setup_.complete(token_, "123456", "");
  ASSERT_FALSE(complete);
  EXPECT_EQ(complete.error().error, SetupError::kClosed);
  EXPECT_EQ(store_->countUsers(), 1);
}

TEST_F(FirstRunSetupTest, TheTokenStaysValidUntilUsedWhateverTheClock) {
  clock_.advance(std::chrono::hours(24 * 30));
  auto enrolment = setup_.begin(request());
  ASSERT_TRUE(enrolment) << enrolment.error().detail;
  clock_.advance(std::chrono::hours(2));
  // The enrolment itself does not expire either: the code is checked against the clock now.
  EXPECT_TRUE(setup_.complete(token_, totpAt(secretOf(*enrolment), now()), ""));
}

TEST_F(FirstRunSetupTest, RefusedOnceAnAccountExists) {
  auto enrolment = setup_.begin(request());
  ASSERT_TRUE(enrolment);
  // Someone ran `medrtc admin create-user` meanwhile.
  makeUser(makeTenant(), "other@example.org", "admin");
  EXPECT_FALSE(setup_.open());
  auto done = setup_.complete(token_, totpAt(secretOf(*enrolment), now()), "");
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().error, SetupError::kClosed);
  EXPECT_EQ(store_->countUsers(), 1);
}

TEST_F(FirstRunSetupTest, AWrongTokenIsRefusedAndRateLimitedPerAddress) {
  for (int i = 0; i < 10; ++i) {
    auto r = setup_.begin(request(randomToken()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().error, SetupError::kBadToken);
  }
  auto limited = setup_.begin(request());  // even the right token, from this address
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().error, SetupError::kTooManyAttempts);
  EXPECT_GT(limited.error().retryAfterSeconds, 0);
  auto other = request();
  other.sourceAddress = "198.51.100.1";
  EXPECT_TRUE(setup_.begin(other));
  clock_.advance(std::chrono::minutes(16));
  EXPECT_TRUE(setup_.begin(request()));
}

TEST_F(FirstRunSetupTest, CompleteWithoutBeginIsRefused) {
  auto r = setup_.complete(token_, "123456", "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error, SetupError::kNoEnrolment);
}

TEST_F(FirstRunSetupTest, BadFieldsAreRefusedLikeTheCli) {
  auto noName = request();
  noName.practiceName = "";
  EXPECT_EQ(setup_.begin(noName).error().error, SetupError::kInvalid);
  auto shortPassword = request();
  shortPassword.password = "short";
  EXPECT_EQ(setup_.begin(shortPassword).error().error, SetupError::kInvalid);
  auto badEmail = request();
  badEmail.email = "no-at-sign";
  EXPECT_EQ(setup_.begin(badEmail).error().error, SetupError::kInvalid);
  auto unknownPolicy = request();
  unknownPolicy.policy = "../etc";
  EXPECT_EQ(setup_.begin(unknownPolicy).error().error, SetupError::kInvalid);
  EXPECT_EQ(store_->countTenants(), 0);
}

TEST_F(FirstRunSetupTest, APolicyRegionOutsideTheProfileIsRefusedNamingTheRule) {
  compliance::PolicyProfile kbv;
  kbv.name = "kbv";
  kbv.storageRegions = {"eu-de"};
  kbv.idleLogoffMinutes = 15;
  kbv.staffMfaRequired = true;
  auto shared = std::make_shared<const compliance::PolicyProfile>(kbv);
  FirstRunSetup governed{*store_, clock_, &audit_,
                         [shared](const store::TenantRecord& t) -> Result<TenantProfiles, std::string> {
                           return TenantProfiles{t.policyProfile.empty() ? nullptr : shared, nullptr};
                         }};
  governed.arm(token_);
  auto r = request();
  r.policy = "kbv";
  r.region = "us-east";
  auto refused = governed.begin(r);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().error, SetupError::kPolicyRefused);
  EXPECT_NE(refused.error().detail.find("policy kbv"), std::string::npos) << refused.error().detail;
  r.region = "eu-de";
  auto enrolment = governed.begin(r);
  ASSERT_TRUE(enrolment) << enrolment.error().detail;
  auto done = governed.complete(token_, totpAt(secretOf(*enrolment), now()), "");
  ASSERT_TRUE(done);
  auto tenant = store_->findTenant(done->tenantId);
  EXPECT_EQ(tenant->policyProfile, "kbv");
  EXPECT_TRUE(tenant->requireTotp);  // kbv's staff MFA rule, implied as create-tenant does
}

// The routes run a begin in steps (its hash on a password worker): begins that overlap
// store the newest one's enrolment, in the order they came in, whichever hash finished
// first; and a complete never checks its code against an enrolment a begin in flight is
// about to replace.
TEST_F(FirstRunSetupTest, OverlappingBeginsKeepTheNewestAndHoldOffAComplete) {
  auto first = setup_.begin(request());
  ASSERT_TRUE(first);
  auto older = setup_.startEnrolment(request());
  auto newer = setup_.startEnrolment(request());
  ASSERT_TRUE(older && newer);
  auto held = setup_.complete(token_, totpAt(secretOf(*first), now()), "192.0.2.7");
  ASSERT_FALSE(held) << "a complete passed the code check a begin in flight was about to change";
  EXPECT_EQ(held.error().error, SetupError::kSuperseded);
  EXPECT_EQ(store_->countUsers(), 0);

  FirstRunSetup::hashInto(*newer);
  FirstRunSetup::hashInto(*older);
  auto newest = setup_.finishEnrolment(std::move(*newer), 0);
  ASSERT_TRUE(newest) << newest.error().detail;
  auto late = setup_.finishEnrolment(std::move(*older), 0);
  ASSERT_FALSE(late) << "an older begin whose hash finished last replaced the newer enrolment";
  EXPECT_EQ(late.error().error, SetupError::kSuperseded);
  auto done = setup_.complete(token_, totpAt(secretOf(*newest), now()), "192.0.2.7");
  ASSERT_TRUE(done) << done.error().detail;
}

// A begin that ends without its finish (a busy worker, a store failure) no longer holds
// off a complete; a complete closes setup when it claims the enrolment, before its
// writes, and its writes count again (an account made meanwhile wins).
TEST_F(FirstRunSetupTest, AnAbandonedBeginNoLongerHoldsOffACompleteWhichClosesBeforeItsWrites) {
  auto first = setup_.begin(request());
  ASSERT_TRUE(first);
  auto dropped = setup_.startEnrolment(request());
  ASSERT_TRUE(dropped);
  setup_.abandon(*dropped);
  setup_.abandon(*dropped);  // idempotent
  auto claimed = setup_.claim(token_, totpAt(secretOf(*first), now()), "192.0.2.7");
  ASSERT_TRUE(claimed) << claimed.error().detail;
  // Claimed: closed at once, before the accounts are written (on the pool), so an
  // overlapping complete or begin is refused.
  EXPECT_FALSE(setup_.armed());
  EXPECT_EQ(setup_.complete(token_, totpAt(secretOf(*first), now()), "").error().error, SetupError::kClosed);
  EXPECT_EQ(setup_.begin(request()).error().error, SetupError::kClosed);
  auto stored = FirstRunSetup::storeAccounts(*store_, *claimed);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(setup_.finishAccounts(*claimed, stored));
  EXPECT_EQ(store_->countUsers(), 1);
  // Accounts made since the claim (create-user) win: nothing written.
  EXPECT_FALSE(FirstRunSetup::storeAccounts(*store_, *claimed));
  EXPECT_EQ(store_->countUsers(), 1);
}

TEST(QrSvg, DrawsAQuietZonedSquareOfModules) {
  auto svg = qrSvg("otpauth://totp/Praxis:a%40b.org?secret=JBSWY3DPEHPK3PXP");
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 0), 0u);
  EXPECT_NE(svg->find("<path fill=\"#000\" d=\"M"), std::string::npos);
  EXPECT_EQ(svg->find("<script"), std::string::npos);
  // Version 1 is 21 modules wide: the smallest image is 21 + 2 * 4.
  EXPECT_EQ(qrSvg("A")->find("viewBox=\"0 0 29 29\""), qrSvg("A")->find("viewBox"));
  EXPECT_FALSE(qrSvg(std::string(8000, 'x')));  // past the largest QR code
}

}  // namespace
}  // namespace medrtc::clinic
