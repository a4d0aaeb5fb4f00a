// Issue 10 item 8 over HTTP: a complete sign-in sets the device cookie (ids only, HttpOnly,
// SameSite=Strict, sent back only to the sign-in routes, 180 days), and a browser that
// sends it back signs in while strangers hold the account locked.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using testing::httpRequest;
using testing::HttpResult;
using testing::str;
using testing::TestServer;

class DeviceCookieRest : public ::testing::Test {
 protected:
  DeviceCookieRest() : account_(server_.addAccount("weber@example.org")) {}

  HttpResult login(const std::string& password, const std::string& cookie = "") {
    std::string body = boost::json::serialize(boost::json::object{{"email", account_.email}, {"password", password}});
    testing::Headers headers;
    if (!cookie.empty()) {
      headers.emplace_back("Cookie", cookie);
    }
    return httpRequest(server_.port(), "POST", "/api/v1/auth/login", body, "", "application/json", headers);
  }

  TestServer server_;
  testing::ClinicAccount account_;
};

TEST_F(DeviceCookieRest, ASignInSetsTheDeviceCookieAndItOutlastsTheAccountsLock) {
  HttpResult ok = login(account_.password);
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_EQ(ok.setCookies.size(), 2u);
  EXPECT_EQ(ok.setCookies[0].rfind("medrtc_session=", 0), 0u) << "the session cookie stays first";
  const std::string& device = ok.setCookies[1];
  ASSERT_EQ(device.rfind("medrtc_device=" + account_.userId + ".", 0), 0u) << device;
  EXPECT_EQ(device.find(account_.email), std::string::npos) << "no personal data";
  for (const char* attribute : {"; HttpOnly", "; SameSite=Strict", "; Path=/api/v1/auth", "; Max-Age=15552000"}) {
    EXPECT_NE(device.find(attribute), std::string::npos) << attribute << " in " << device;
  }
  EXPECT_EQ(device.find("Secure"), std::string::npos) << "plain HTTP: a Secure cookie would be dropped";
  std::string cookie = device.substr(0, device.find(';'));

  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login("guess").status, 401);
  }
  HttpResult stranger = login(account_.password);
  EXPECT_EQ(stranger.status, 429);
  EXPECT_EQ(str(stranger.json().at("code")), "too_many_attempts");
  EXPECT_TRUE(stranger.setCookies.empty());

  // The browser sends its cookies together; the session cookie beside it changes nothing.
  HttpResult owner = login(account_.password, "medrtc_session=old; " + cookie);
  EXPECT_EQ(owner.status, 200) << owner.body;
  ASSERT_EQ(owner.setCookies.size(), 2u);
  EXPECT_NE(owner.setCookies[1].substr(0, owner.setCookies[1].find(';')), cookie) << "renewed at each sign-in";
  EXPECT_EQ(server_.audit().count("sign_in: password from a known device while the account was locked"), 1u);
}

}  // namespace
}  // namespace medrtc::signaling
