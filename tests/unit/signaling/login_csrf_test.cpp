// Login CSRF (issue 10 item 11): POST /api/v1/auth/login takes only a JSON body from this
// server's own origin, so a foreign page cannot sign a victim's browser into an account.
#include <gtest/gtest.h>

#include "signaling/request_origin.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::Headers;
using testing::httpRequest;
using testing::HttpResult;
using testing::str;
using testing::TestServer;

constexpr const char* kJson = "application/json";

class LoginCsrf : public ::testing::Test {
 protected:
  LoginCsrf() : account_(server_.addAccount("weber@example.org")) {}

  std::string body() const {
    return boost::json::serialize(boost::json::object{{"email", account_.email}, {"password", account_.password}});
  }
  std::string ownHost() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  HttpResult login(const std::string& contentType, Headers headers) {
    headers.emplace_back("Host", ownHost());
    return httpRequest(server_.port(), "POST", "/api/v1/auth/login", body(), "", contentType, headers);
  }
  void expectRefused(const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    EXPECT_EQ(str(r.json().at("code")), code);
    EXPECT_EQ(r.header("set-cookie"), "") << "a refused sign-in must not set a session cookie";
  }

  TestServer server_;
  testing::ClinicAccount account_;
};

TEST_F(LoginCsrf, TextPlainFromAForeignPageIsRefused) {
  // The classic login-CSRF form post: text/plain needs no CORS preflight.
  expectRefused(login("text/plain", {{"Origin", "https://evil.example"}}), 403, "cross_origin");
  expectRefused(login("text/plain", {}), 415, "unsupported_media_type");
  expectRefused(login("application/x-www-form-urlencoded", {}), 415, "unsupported_media_type");
  expectRefused(login("multipart/form-data; boundary=x", {}), 415, "unsupported_media_type");
  EXPECT_EQ(server_.audit().count("sign_in"), 0u) << "refused before any credential check";
}

TEST_F(LoginCsrf, ForeignOriginOrCrossSiteFetchIsRefused) {
  expectRefused(login(kJson, {{"Origin", "https://evil.example"}}), 403, "cross_origin");
  expectRefused(login(kJson, {{"Origin", "null"}}), 403, "cross_origin");
  expectRefused(login(kJson, {{"Origin", "http://127.0.0.1:1"}}), 403, "cross_origin");  // another port
  expectRefused(login(kJson, {{"Sec-Fetch-Site", "cross-site"}}), 403, "cross_origin");
  expectRefused(login(kJson, {{"Sec-Fetch-Site", "same-site"}}), 403, "cross_origin");
  // Both headers must agree with a same-origin request.
  expectRefused(login(kJson, {{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "same-origin"}}), 403,
                "cross_origin");
}

TEST_F(LoginCsrf, OwnPagesAndNonBrowserClientsSignIn) {
  EXPECT_EQ(login(kJson, {{"Origin", "http://" + ownHost()}}).status, 200);
  EXPECT_EQ(
      login("Application/JSON; charset=utf-8", {{"Origin", "http://" + ownHost()}, {"Sec-Fetch-Site", "same-origin"}})
          .status,
      200);
  EXPECT_EQ(login(kJson, {{"Sec-Fetch-Site", "none"}}).status, 200);  // typed into the address bar
  EXPECT_EQ(login(kJson, {}).status, 200);                            // curl, scripts: no browser, no CSRF
}

HttpRequest request(std::string host, std::string origin, bool secure) {
  HttpRequest r;
  r.host = std::move(host);
  r.origin = std::move(origin);
  r.secure = secure;
  return r;
}

TEST(RequestOrigin, OriginMustNameThisServersSchemeAndAuthority) {
  EXPECT_TRUE(isSameOriginRequest(request("clinic.example", "https://clinic.example", true)));
  EXPECT_TRUE(isSameOriginRequest(request("clinic.example:443", "https://clinic.example", true)));
  EXPECT_TRUE(isSameOriginRequest(request("Clinic.Example", "https://clinic.example", true)));
  // Over TLS the page must have been https; a plain listener may sit behind a TLS proxy.
  EXPECT_FALSE(isSameOriginRequest(request("clinic.example", "http://clinic.example", true)));
  EXPECT_TRUE(isSameOriginRequest(request("clinic.example", "https://clinic.example", false)));
  EXPECT_FALSE(isSameOriginRequest(request("clinic.example", "https://clinic.example.evil.example", false)));
  EXPECT_FALSE(isSameOriginRequest(request("clinic.example", "https://evil.example@clinic.example", false)));
  EXPECT_FALSE(isSameOriginRequest(request("", "https://clinic.example", false)));
  EXPECT_FALSE(isSameOriginRequest(request("clinic.example", "clinic.example", false)));
}

TEST(RequestOrigin, JsonMediaTypeIgnoresCaseAndParameters) {
  EXPECT_TRUE(isJsonMediaType("application/json"));
  EXPECT_TRUE(isJsonMediaType(" application/JSON ; charset=UTF-8"));
  EXPECT_FALSE(isJsonMediaType(""));
  EXPECT_FALSE(isJsonMediaType("text/plain"));
  EXPECT_FALSE(isJsonMediaType("application/jsonx"));
}

}  // namespace
}  // namespace medrtc::signaling
