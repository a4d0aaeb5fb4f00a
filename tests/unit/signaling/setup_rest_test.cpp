// First-run setup over HTTP (issue 15 item 1): /api/v1/setup/* answer problem+json for
// bad input, create the practice and its admin once, then refuse; the token and the
// admin's email never reach a log line.
#include <gtest/gtest.h>

#include "captured_log.hpp"
#include "clinic/totp.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::CapturedLog;
using testing::httpRequest;
using testing::HttpResult;
using testing::str;
using testing::TestServer;
using testing::TestServerOptions;

constexpr const char* kToken = "setup-token-0123456789abcdef0123456789abcdef";
constexpr const char* kEmail = "Setup.Admin@Example.org";

TestServerOptions armed() {
  TestServerOptions o;
  o.setupToken = kToken;
  return o;
}

std::string enrolmentBody(const std::string& token, const std::string& password = "correct horse battery") {
  return boost::json::serialize(boost::json::object{{"token", token},
                                                    {"practice_name", "Praxis Sonnenschein"},
                                                    {"email", kEmail},
                                                    {"password", password}});
}

void expectProblem(const HttpResult& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(str(r.json().at("code")), code);
}

TEST(SetupRest, CreatesThePracticeOnceThenIsClosed) {
  CapturedLog log;
  std::string secret;
  {
    TestServer server(armed());
    auto port = server.port();
    auto state = httpRequest(port, "GET", "/api/v1/setup");
    ASSERT_EQ(state.status, 200);
    EXPECT_TRUE(state.json().at("open").as_bool());

    expectProblem(httpRequest(port, "POST", "/api/v1/setup/enrolment", enrolmentBody("wrong-token")), 403,
                  "setup_token_invalid");
    expectProblem(httpRequest(port, "POST", "/api/v1/setup/enrolment", "{not json"), 400, "invalid_json");
    expectProblem(httpRequest(port, "POST", "/api/v1/setup/enrolment", enrolmentBody(kToken, "short")), 400,
                  "invalid_field");
    expectProblem(httpRequest(port, "POST", "/api/v1/setup/complete",
                              boost::json::serialize(boost::json::object{{"token", kToken}, {"code", "123456"}})),
                  409, "setup_not_started");

    auto enrolment = httpRequest(port, "POST", "/api/v1/setup/enrolment", enrolmentBody(kToken));
    ASSERT_EQ(enrolment.status, 200) << enrolment.body;
    secret = str(enrolment.json().at("secret"));
    EXPECT_EQ(str(enrolment.json().at("qr_svg")).rfind("<svg", 0), 0u);
    EXPECT_EQ(str(enrolment.json().at("otpauth_uri")).rfind("otpauth://totp/", 0), 0u);
    auto key = *clinic::base32Decode(secret);
    std::string code = clinic::totpAt(key, server.wallSeconds());
    std::string wrong = code == "000000" ? "111111" : "000000";
    auto complete = [&](const std::string& c) {
      return httpRequest(port, "POST", "/api/v1/setup/complete",
                         boost::json::serialize(boost::json::object{{"token", kToken}, {"code", c}}));
    };
    expectProblem(complete(wrong), 400, "totp_invalid");
    auto done = complete(code);
    ASSERT_EQ(done.status, 201) << done.body;
    EXPECT_EQ(str(done.json().at("tenant_id")).rfind("t_", 0), 0u);
    EXPECT_EQ(server.audit().count("tenant_created"), 1u);
    EXPECT_EQ(server.audit().count("user_created"), 1u);

    EXPECT_FALSE(httpRequest(port, "GET", "/api/v1/setup").json().at("open").as_bool());
    expectProblem(httpRequest(port, "POST", "/api/v1/setup/enrolment", enrolmentBody(kToken)), 410, "setup_closed");
    expectProblem(complete(code), 410, "setup_closed");

    // The code that completed setup is spent (RFC 6238 §5.2): it does not sign in again.
    auto replay = httpRequest(port, "POST", "/api/v1/auth/login",
                              boost::json::serialize(boost::json::object{
                                  {"email", kEmail}, {"password", "correct horse battery"}, {"totp", code}}));
    EXPECT_EQ(replay.status, 401) << replay.body;
    EXPECT_EQ(str(replay.json().at("code")), "totp_invalid");

    // The admin signs in with the password and the enrolled authenticator.
    server.advanceClock(std::chrono::seconds(30));
    auto login = httpRequest(port, "POST", "/api/v1/auth/login",
                             boost::json::serialize(boost::json::object{
                                 {"email", kEmail},
                                 {"password", "correct horse battery"},
                                 {"totp", clinic::totpAt(key, server.wallSeconds())}}));
    EXPECT_EQ(login.status, 200) << login.body;
    EXPECT_EQ(str(login.json().at("user").at("role")), "admin");
  }
  std::string text = log.text();
  EXPECT_NE(text.find("setup"), std::string::npos) << text;
  for (const std::string& secretText : {std::string(kToken), std::string("setup.admin"), std::string("Sonnenschein"),
                                        secret}) {
    EXPECT_EQ(text.find(secretText), std::string::npos) << secretText << " in the log:\n" << text;
  }
}

TEST(SetupRest, WrongTokensAreRateLimitedWithRetryAfter) {
  TestServer server(armed());
  for (int i = 0; i < 10; ++i) {
    expectProblem(httpRequest(server.port(), "POST", "/api/v1/setup/enrolment", enrolmentBody("wrong")), 403,
                  "setup_token_invalid");
  }
  auto limited = httpRequest(server.port(), "POST", "/api/v1/setup/enrolment", enrolmentBody(kToken));
  expectProblem(limited, 429, "too_many_attempts");
  EXPECT_FALSE(limited.header("retry-after").empty());
}

TEST(SetupRest, ClosedWithoutAToken) {
  TestServer server;  // as serve on a store with accounts: no token drawn
  EXPECT_FALSE(httpRequest(server.port(), "GET", "/api/v1/setup").json().at("open").as_bool());
  expectProblem(httpRequest(server.port(), "POST", "/api/v1/setup/enrolment", enrolmentBody("")), 400,
                "invalid_field");
  expectProblem(httpRequest(server.port(), "POST", "/api/v1/setup/enrolment", enrolmentBody(kToken)), 410,
                "setup_closed");
}

}  // namespace
}  // namespace medrtc::signaling
