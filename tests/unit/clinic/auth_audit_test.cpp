// What sign-in and sign-out leave in the audit trail (H1, H6): every step a person takes
// with a correct password is recorded, under the account's own role.
#include "clinic/auth_service.hpp"

#include "clinic/secrets.hpp"
#include "clinic_fixture.hpp"

namespace medrtc::clinic {
namespace {

using testing::ClinicFixture;

class AuthAudit : public ClinicFixture {
 protected:
  AuthService auth_{*store_, clock_, &audit_};

  SignInRequest req(const std::string& email, std::optional<std::string> totp = std::nullopt) {
    return SignInRequest{email, "correct horse battery", std::move(totp), "192.0.2.7"};
  }
};

TEST_F(AuthAudit, CorrectPasswordWithoutTheTotpCodeIsAudited) {
  auto t = makeTenant(/*requireTotp=*/true);
  auto u = makeUser(t, "weber@example.org", "practitioner", base32Encode(newTotpSecret()));
  auto r = auth_.signIn(req("weber@example.org"));
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().error, SignInError::kTotpRequired);
  ASSERT_EQ(audit_.count("sign_in: totp_required"), 1u);
  const auto& e = audit_.events.back();
  EXPECT_EQ(e.type.code, compliance::dicom::userAuthentication().code);
  EXPECT_EQ(e.outcome, compliance::AuditOutcome::MinorFailure);  // not signed in (yet)
  EXPECT_EQ(e.agents[0].who, "Practitioner/" + u.id);
  ASSERT_EQ(e.agents.size(), 2u);
  EXPECT_EQ(e.agents[1].who, "Network/192.0.2.7");
  // Ids only: the email typed is nowhere in the event.
  EXPECT_EQ(e.outcomeDesc, "sign_in: totp_required");
  EXPECT_FALSE(e.agents[0].name);
}

TEST_F(AuthAudit, RepeatedCorrectPasswordsWithoutTheCodeAreOneEventPerWindow) {
  // Someone holding the password but not the code must not write one fsynced event per
  // attempt (issue 10 item 6): the first is recorded at once, the rest in one summary.
  auto t = makeTenant(/*requireTotp=*/true);
  makeUser(t, "weber@example.org", "practitioner", base32Encode(newTotpSecret()));
  for (int i = 0; i < 4; ++i) {
    auto r = auth_.signIn(req("weber@example.org"));
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().error, SignInError::kTotpRequired);
  }
  EXPECT_EQ(audit_.count("sign_in: totp_required"), 1u);
}

TEST_F(AuthAudit, SignOutRecordsTheAccountsOwnRole) {
  auto t = makeTenant();
  for (const char* role : {"admin", "staff", "practitioner"}) {
    auto u = makeUser(t, std::string(role) + "@example.org", role);
    auto r = auth_.signIn(req(std::string(role) + "@example.org"));
    ASSERT_TRUE(r) << role;
    auth_.signOut(r->cookieValue, "192.0.2.7");
    ASSERT_EQ(audit_.events.back().outcomeDesc, "sign_out");
    EXPECT_EQ(audit_.events.back().agents[0].role, role);
    EXPECT_EQ(audit_.events.back().agents[0].who, "Practitioner/" + u.id);
  }
}

}  // namespace
}  // namespace medrtc::clinic
