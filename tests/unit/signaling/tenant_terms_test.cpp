// KBV K10: a tenant's terms of use and privacy notice (clinic/terms_service.hpp). Anyone
// reads it without signing in; only that tenant's admin writes it, within the size cap,
// audited; it is stored as the plain text that was sent.
#include <gtest/gtest.h>

#include "consultation_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
namespace json = boost::json;

std::string termsPath(const std::string& tenantId) { return "/api/v1/tenants/" + tenantId + "/terms"; }

// The text of `lang` in a terms answer, and whether it is the default.
std::pair<std::string, bool> textOf(const HttpResult& r, std::string_view lang) {
  json::value body = r.json();  // kept: the loop reads into it
  for (const auto& t : body.at("terms").as_array()) {
    if (t.at("lang").as_string() == lang) {
      return {str(t.at("text")), t.at("default").as_bool()};
    }
  }
  ADD_FAILURE() << "no " << lang << " in " << r.body;
  return {"", false};
}

std::string putBody(const std::string& lang, const std::string& text) {
  return json::serialize(json::object{{"lang", lang}, {"text", text}});
}

TEST(TenantTerms, AnyoneReadsTheDefaultWithoutSigningIn) {
  TestServer server;
  auto admin = server.addAccount("admin@praxis.de", "admin");
  auto r = httpRequest(server.port(), "GET", termsPath(admin.tenantId));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(str(r.json().at("tenant_id")), admin.tenantId);
  for (const char* lang : {"en", "de", "fr"}) {
    auto [text, isDefault] = textOf(r, lang);
    EXPECT_TRUE(isDefault) << lang;
    EXPECT_FALSE(text.empty()) << lang;
  }
  EXPECT_NE(textOf(r, "de").first.find("Datenschutz"), std::string::npos);
  auto unknown = httpRequest(server.port(), "GET", termsPath("t_0000000000000000"));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(str(unknown.json().at("code")), "tenant_not_found");
}

TEST(TenantTerms, TheAdminWritesPlainTextThatIsStoredAsSentAndAudited) {
  TestServer server;
  auto admin = server.addAccount("admin@praxis.de", "admin");
  ClinicClient client(server.port());
  ASSERT_EQ(client.login(admin.email, admin.password).status, 200);
  // Markup is just text: it comes back as sent, for the page to show as text.
  std::string text = "Praxis Dr. Weber\n<script>alert(1)</script> & <b>Datenschutz</b>";
  auto put = client.call("PUT", termsPath(admin.tenantId), putBody("de", text));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(textOf(put, "de"), std::make_pair(text, false));
  auto get = httpRequest(server.port(), "GET", termsPath(admin.tenantId));
  EXPECT_EQ(textOf(get, "de"), std::make_pair(text, false));
  EXPECT_TRUE(textOf(get, "en").second);  // the other languages keep the default
  EXPECT_EQ(server.audit().count("tenant_terms"), 1u);

  // An empty text goes back to the default.
  ASSERT_EQ(client.call("PUT", termsPath(admin.tenantId), putBody("de", "")).status, 200);
  EXPECT_TRUE(textOf(httpRequest(server.port(), "GET", termsPath(admin.tenantId)), "de").second);
  EXPECT_EQ(server.audit().count("tenant_terms"), 2u);
}

TEST(TenantTerms, OnlyTheTenantsOwnAdminWrites) {
  TestServer server;
  auto admin = server.addAccount("admin@praxis.de", "admin");
  auto doctor = server.addAccount("dr@praxis.de", "practitioner", false, admin.tenantId);
  auto staff = server.addAccount("mfa@praxis.de", "staff", false, admin.tenantId);
  auto otherAdmin = server.addAccount("admin@klinik.de", "admin");

  // Signed out (no session): 401.
  auto anonymous = httpRequest(server.port(), "PUT", termsPath(admin.tenantId), putBody("en", "x"));
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  for (const auto* account : {&doctor, &staff}) {
    ClinicClient c(server.port());
    ASSERT_EQ(c.login(account->email, account->password).status, 200);
    auto r = c.call("PUT", termsPath(admin.tenantId), putBody("en", "x"));
    EXPECT_EQ(r.status, 403) << account->email << " " << r.body;
    EXPECT_EQ(str(r.json().at("code")), "forbidden");
  }
  // Another tenant's admin: answered as for an unknown tenant.
  ClinicClient other(server.port());
  ASSERT_EQ(other.login(otherAdmin.email, otherAdmin.password).status, 200);
  auto r = other.call("PUT", termsPath(admin.tenantId), putBody("en", "x"));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(str(r.json().at("code")), "tenant_not_found");
  EXPECT_EQ(other.call("PUT", termsPath("t_0000000000000000"), putBody("en", "x")).body, r.body);
  // Without the CSRF token: refused like every other cookie write.
  EXPECT_EQ(other.call("PUT", termsPath(otherAdmin.tenantId), putBody("en", "x"), false).status, 403);

  EXPECT_TRUE(textOf(httpRequest(server.port(), "GET", termsPath(admin.tenantId)), "en").second);
  EXPECT_EQ(server.audit().count("tenant_terms"), 0u);
}

TEST(TenantTerms, SizeCapAndLanguageAreChecked) {
  TestServer server;
  auto admin = server.addAccount("admin@praxis.de", "admin");
  ClinicClient client(server.port());
  ASSERT_EQ(client.login(admin.email, admin.password).status, 200);
  // 10000 characters (umlauts count once) fit; one more does not.
  std::string longest;
  for (int i = 0; i < 10000; ++i) {
    longest += "ü";
  }
  EXPECT_EQ(client.call("PUT", termsPath(admin.tenantId), putBody("fr", longest)).status, 200);
  auto tooLong = client.call("PUT", termsPath(admin.tenantId), putBody("fr", longest + "x"));
  EXPECT_EQ(tooLong.status, 400) << tooLong.body;
  EXPECT_EQ(str(tooLong.json().at("code")), "invalid_field");
  auto badLang = client.call("PUT", termsPath(admin.tenantId), putBody("it", "Termini"));
  EXPECT_EQ(badLang.status, 400) << badLang.body;
  EXPECT_EQ(textOf(httpRequest(server.port(), "GET", termsPath(admin.tenantId)), "fr").first, longest);
  EXPECT_EQ(server.audit().count("tenant_terms"), 1u);
}

}  // namespace
}  // namespace medrtc::signaling
