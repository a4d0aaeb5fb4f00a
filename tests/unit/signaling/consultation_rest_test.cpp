// The clinic REST API (docs/consultation-api.md) against the in-process server.
#include <gtest/gtest.h>

#include "compliance/policy_profile.hpp"
#include "compliance/test_support.hpp"
#include "consultation_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

using compliance::testing::policiesDir;

TEST(ClinicRest, SignInWithTotpGivesAStrictHttpOnlyCookie) {
  TestServer server;
  auto account = server.addAccount("weber@example.org", "practitioner", /*totp=*/true);
  ClinicClient client(server.port());
  auto noCode = client.login(account.email, account.password);
  EXPECT_EQ(noCode.status, 401);
  EXPECT_EQ(str(noCode.json().at("code")), "totp_required");
  EXPECT_EQ(noCode.header("content-type"), "application/problem+json");
  auto good = clinic::totpAt(account.totpSecret, server.wallSeconds());
  auto wrong = client.login(account.email, account.password, good == "000000" ? "111111" : "000000");
  EXPECT_EQ(str(wrong.json().at("code")), "totp_invalid");
  auto ok = client.login(account.email, account.password, good);
  ASSERT_EQ(ok.status, 200) << ok.body;
  std::string cookie = ok.header("set-cookie");
  EXPECT_EQ(cookie.rfind("medrtc_session=", 0), 0u);
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP in this test
  auto o = ok.json().as_object();
  EXPECT_EQ(str(o.at("user").at("id")), account.userId);
  EXPECT_EQ(str(o.at("user").at("role")), "practitioner");
  EXPECT_EQ(str(o.at("tenant").at("id")), account.tenantId);
  EXPECT_FALSE(str(o.at("csrf_token")).empty());

  auto me = client.call("GET", "/api/v1/auth/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(str(me.json().at("user").at("email")), "weber@example.org");
  EXPECT_EQ(client.call("POST", "/api/v1/auth/logout").status, 204);
  auto after = client.call("GET", "/api/v1/auth/me");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(str(after.json().at("code")), "not_signed_in");
  // The missing code (a correct password: audited too), the wrong code and the success.
  EXPECT_EQ(server.audit().count("sign_in"), 3u);
  EXPECT_EQ(server.audit().count("sign_out"), 1u);
}

// The node's policy reaches sign-in over HTTP: MFA required but not enrolled is 403 naming
// the rule, so the user can tell the administrator what is missing.
TEST(ClinicRest, SignInUnderAPolicyRequiringMfaAnswersWithTheRule) {
  auto kbv = compliance::loadPolicyByName("kbv", policiesDir());
  ASSERT_TRUE(kbv) << kbv.error().toString();
  auto node = std::make_shared<const compliance::PolicyProfile>(kbv.value());
  TestServerOptions options;
  options.auth.profiles = [node](const store::TenantRecord&) -> Result<clinic::TenantProfiles, std::string> {
    return clinic::TenantProfiles{nullptr, node};
  };
  TestServer server(options);
  auto noTotp = server.addAccount("weber@example.org");
  ClinicClient client(server.port());
  auto refused = client.login(noTotp.email, noTotp.password);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.header("content-type"), "application/problem+json");
  EXPECT_EQ(str(refused.json().at("code")), "mfa_not_enrolled");
  EXPECT_EQ(str(refused.json().at("detail")),
            "policy kbv: rule accounts.staff_mfa_required=true: staff account without MFA refused");
  // A wrong password never reveals the account's MFA state.
  EXPECT_EQ(str(client.login(noTotp.email, "wrong password").json().at("code")), "invalid_credentials");

  auto withTotp = server.addAccount("lang@example.org", "practitioner", /*totp=*/true);
  auto ok = client.login(withTotp.email, withTotp.password, clinic::totpAt(withTotp.totpSecret, server.wallSeconds()));
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST(ClinicRest, FailedSignInsAreRateLimitedWithRetryAfter) {
  TestServer server;
  auto account = server.addAccount("weber@example.org");
  ClinicClient client(server.port());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(str(client.login(account.email, "wrong password").json().at("code")), "invalid_credentials");
  }
  auto locked = client.login(account.email, account.password);
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(str(locked.json().at("code")), "too_many_attempts");
  EXPECT_EQ(locked.header("retry-after"), "900");
}

TEST(ClinicRest, IdleLogoffAfterFifteenMinutes) {
  TestServer server;
  auto account = server.addAccount("weber@example.org");
  ClinicClient client(server.port());
  ASSERT_EQ(client.login(account.email, account.password).status, 200);
  server.advanceClock(std::chrono::minutes(14));
  EXPECT_EQ(client.call("GET", "/api/v1/auth/me").status, 200);
  server.advanceClock(std::chrono::minutes(15));
  auto expired = client.call("GET", "/api/v1/auth/me");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(str(expired.json().at("code")), "session_expired");
  EXPECT_NE(expired.header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST(ClinicRest, CookieRequestsWithoutTheCsrfTokenAreRefused) {
  TestServer server;
  auto account = server.addAccount("weber@example.org");
  ClinicClient client(server.port());
  ASSERT_EQ(client.login(account.email, account.password).status, 200);
  int64_t now = server.wallSeconds();
  std::string body = json::serialize(json::object{{"start", clinic::formatRfc3339(now + 60)},
                                                  {"end", clinic::formatRfc3339(now + 1800)}});
  auto refused = client.call("POST", "/api/v1/appointments", body, /*withCsrf=*/false);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(str(refused.json().at("code")), "csrf_failed");
  auto forged = httpRequest(server.port(), "POST", "/api/v1/appointments", body, "", "application/json",
                            {{"Cookie", client.cookie()}, {"X-CSRF-Token", "guessed"}});
  EXPECT_EQ(str(forged.json().at("code")), "csrf_failed");
  EXPECT_EQ(client.call("GET", "/api/v1/appointments", "", /*withCsrf=*/false).status, 200);  // reads are safe
  EXPECT_EQ(client.call("POST", "/api/v1/auth/logout", "", false).status, 403);
  EXPECT_EQ(client.call("POST", "/api/v1/appointments", body).status, 201);
  // No cookie at all.
  auto anonymous = httpRequest(server.port(), "GET", "/api/v1/appointments");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(str(anonymous.json().at("code")), "not_signed_in");
}

TEST(ClinicRest, AppointmentLifecycleAndFhir) {
  TestServer server;
  auto account = server.addAccount("weber@example.org");
  ClinicClient client(server.port());
  ASSERT_EQ(client.login(account.email, account.password).status, 200);
  Booking b = book(client, server);
  ASSERT_FALSE(b.appointmentId.empty());
  EXPECT_EQ(b.code.size(), 9u);
  EXPECT_EQ(b.linkToken.size(), 43u);

  auto list = client.call("GET", "/api/v1/appointments");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().at("appointments").as_array().size(), 1u);
  auto one = client.call("GET", "/api/v1/appointments/" + b.appointmentId);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(str(one.json().at("status")), "booked");
  EXPECT_EQ(one.json().at("waiting_count").as_int64(), 0);
  EXPECT_EQ(str(one.json().at("host_url")), "/consult/" + b.appointmentId);
  EXPECT_EQ(str(one.json().at("invitations").at(0).at("status")), "active");

  int64_t now = server.wallSeconds();
  auto moved = client.call("PATCH", "/api/v1/appointments/" + b.appointmentId,
                           json::serialize(json::object{{"end", clinic::formatRfc3339(now + 7200)}}));
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(str(moved.json().at("invitations").at(0).at("expires_at")), clinic::formatRfc3339(now + 7200 + 1800));

  auto fhir = client.call("GET", "/api/v1/appointments/" + b.appointmentId + "/fhir");
  ASSERT_EQ(fhir.status, 200);
  EXPECT_EQ(fhir.header("content-type"), "application/fhir+json");
  EXPECT_EQ(str(fhir.json().at("resourceType")), "Appointment");
  EXPECT_EQ(str(fhir.json().at("virtualService").at(0).at("addressUrl")), "/consult/" + b.appointmentId);

  auto interpreter = client.call("POST", "/api/v1/appointments/" + b.appointmentId + "/invitations",
                                 R"({"role":"interpreter"})");
  ASSERT_EQ(interpreter.status, 201) << interpreter.body;
  EXPECT_EQ(str(interpreter.json().at("role")), "interpreter");
  EXPECT_EQ(client.call("POST", "/api/v1/appointments/" + b.appointmentId + "/invitations", R"({"role":"host"})")
                .status,
            400);

  auto cancelled = client.call("POST", "/api/v1/appointments/" + b.appointmentId + "/cancel");
  ASSERT_EQ(cancelled.status, 200);
  EXPECT_EQ(str(cancelled.json().at("status")), "cancelled");
  auto late = redeemLink(server, b.linkToken, "Erika Mustermann");
  EXPECT_EQ(late.status, 410);
  EXPECT_EQ(str(late.json().at("code")), "invitation_revoked");
  EXPECT_EQ(server.audit().count("appointment_create"), 1u);
  EXPECT_EQ(server.audit().count("appointment_update"), 1u);
  EXPECT_EQ(server.audit().count("appointment_cancel"), 1u);
}

TEST(ClinicRest, ErasedAppointmentAndUserSaySoAndTheWorkflowGoesOn) {
  TestServer server;
  auto account = server.addAccount("weber@example.org");
  ClinicClient client(server.port());
  ASSERT_EQ(client.login(account.email, account.password).status, 200);
  Booking b = book(client, server);
  ASSERT_TRUE(server.eraseSubject(b.appointmentId));

  auto one = client.call("GET", "/api/v1/appointments/" + b.appointmentId);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_TRUE(one.json().at("erased").as_bool());
  EXPECT_EQ(str(one.json().at("title")), "");
  auto list = client.call("GET", "/api/v1/appointments");
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.json().at("appointments").at(0).at("erased").as_bool());
  auto cancelled = client.call("POST", "/api/v1/appointments/" + b.appointmentId + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_TRUE(cancelled.json().at("erased").as_bool());

  auto me = client.call("GET", "/api/v1/auth/me");
  EXPECT_FALSE(me.json().at("user").as_object().contains("erased"));
  ASSERT_TRUE(server.eraseSubject(account.userId));
  // Erasing a person signs them out everywhere at once.
  me = client.call("GET", "/api/v1/auth/me");
  EXPECT_EQ(me.status, 401) << me.body;
  EXPECT_EQ(str(me.json().at("code")), "not_signed_in");
  ClinicClient again(server.port());
  EXPECT_EQ(again.login(account.email, account.password).status, 401);
}

TEST(ClinicRest, AnotherTenantsIdsAre404) {
  TestServer server;
  auto a = server.addAccount("a@one.org");
  auto b = server.addAccount("b@two.org");
  ClinicClient alice(server.port());
  ClinicClient bob(server.port());
  ASSERT_EQ(alice.login(a.email, a.password).status, 200);
  ASSERT_EQ(bob.login(b.email, b.password).status, 200);
  Booking booking = book(alice, server);
  std::string base = "/api/v1/appointments/" + booking.appointmentId;
  for (auto [method, path, body] : {std::tuple{"GET", base, ""}, std::tuple{"PATCH", base, R"({"start":null})"},
                                    std::tuple{"POST", base + "/cancel", ""}, std::tuple{"GET", base + "/fhir", ""},
                                    std::tuple{"POST", base + "/invitations", R"({"role":"carer"})"},
                                    std::tuple{"POST", base + "/host-token", ""},
                                    std::tuple{"DELETE", "/api/v1/invitations/" + booking.invitationId, ""}}) {
    auto r = bob.call(method, path, body);
    EXPECT_EQ(r.status, 404) << method << " " << path << " " << r.body;
  }
  EXPECT_TRUE(bob.call("GET", "/api/v1/appointments").json().at("appointments").as_array().empty());
  // Still intact for its owner.
  EXPECT_EQ(str(alice.call("GET", base).json().at("status")), "booked");
}

TEST(ClinicRest, StaffBookButCannotHost) {
  TestServer server;
  auto doctor = server.addAccount("dr@example.org");
  auto desk = server.addAccount("desk@example.org", "staff", false, doctor.tenantId);
  ClinicClient staff(server.port());
  ASSERT_EQ(staff.login(desk.email, desk.password).status, 200);
  int64_t now = server.wallSeconds();
  auto r = staff.call("POST", "/api/v1/appointments",
                      json::serialize(json::object{{"start", clinic::formatRfc3339(now + 60)},
                                                   {"end", clinic::formatRfc3339(now + 1800)},
                                                   {"practitioner_id", doctor.userId}}));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(str(r.json().at("practitioner_id")), doctor.userId);
  auto host = staff.call("POST", "/api/v1/appointments/" + str(r.json().at("id")) + "/host-token");
  EXPECT_EQ(host.status, 403);
}

TEST(ClinicRest, RedeemRefusesUsedUnknownOversizedAndGuessedCodes) {
  TestServer server;
  auto account = server.addAccount("weber@example.org");
  ClinicClient client(server.port());
  ASSERT_EQ(client.login(account.email, account.password).status, 200);
  Booking b = book(client, server);
  auto tooLong = redeemLink(server, b.linkToken, std::string(101, 'x'));
  EXPECT_EQ(tooLong.status, 400);
  EXPECT_EQ(str(tooLong.json().at("code")), "invalid_field");
  auto first = redeemLink(server, b.linkToken, "Erika Mustermann");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(str(first.json().at("role")), "patient");
  EXPECT_FALSE(joinTokenOf(first).empty());
  auto second = redeemLink(server, b.linkToken, "Somebody Else");
  EXPECT_EQ(second.status, 410);
  EXPECT_EQ(str(second.json().at("code")), "invitation_used");
  EXPECT_EQ(str(redeemLink(server, "not-a-token", "X").json().at("code")), "invitation_not_found");

  Booking other = book(client, server);
  std::string wrong = other.code == "000000000" ? "000000001" : "000000000";
  for (int i = 0; i < 10; ++i) {
    auto r = httpRequest(server.port(), "POST", "/api/v1/invitations/redeem",
                         json::serialize(json::object{{"code", wrong}, {"name", "Guesser"}}));
    EXPECT_EQ(r.status, 404);
  }
  auto blocked = httpRequest(server.port(), "POST", "/api/v1/invitations/redeem",
                             json::serialize(json::object{{"code", other.code}, {"name", "Guesser"}}));
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(str(blocked.json().at("code")), "too_many_attempts");
  EXPECT_FALSE(blocked.header("retry-after").empty());
  EXPECT_EQ(server.audit().count("invitation_redeem: link"), 1u);
}

TEST(ClinicRest, ExpiredInvitationIs410) {
  TestServer server;
  auto account = server.addAccount("weber@example.org");
  ClinicClient client(server.port());
  ASSERT_EQ(client.login(account.email, account.password).status, 200);
  Booking b = book(client, server, 60, 10);
  server.advanceClock(std::chrono::seconds(60 + 600 + 1800));
  auto r = redeemLink(server, b.linkToken, "Erika Mustermann");
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(str(r.json().at("code")), "invitation_expired");
}

TEST(ClinicRest, NetworkCheckAnswersWithoutAccount) {
  TestServer server;
  auto r = httpRequest(server.port(), "GET", "/api/v1/network-check");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("cache-control"), "no-store");
}

}  // namespace
}  // namespace medrtc::signaling
