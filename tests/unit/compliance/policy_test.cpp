#include <gtest/gtest.h>

#include "compliance/policy_profile.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

using testing::policiesDir;
using testing::readFile;

TEST(PolicyProfile, EveryBuiltInProfileLoads) {
  for (const auto& name : builtInProfileNames()) {
    auto p = loadPolicyByName(name, policiesDir());
    ASSERT_TRUE(p) << p.error().toString();
    EXPECT_EQ(p->name, name);
    EXPECT_FALSE(p->mediaRegions.empty());
    EXPECT_TRUE(p->allowedThirdPartyOrigins.empty()) << name;
  }
}

TEST(PolicyProfile, KbvStatesAnlage31bRules) {
  auto p = loadPolicyByName("kbv", policiesDir());
  ASSERT_TRUE(p) << p.error().toString();
  EXPECT_TRUE(p->e2eeRequired);
  EXPECT_TRUE(p->p2pPreferredOneToOne);
  EXPECT_FALSE(p->recordingAllowed);
  EXPECT_FALSE(p->transcriptionAllowed);
  EXPECT_EQ(p->metadataRetentionDays, 90u);
  EXPECT_TRUE(p->thirdParticipantNeedsHostApproval);
  EXPECT_NE(std::find(p->mediaRegions.begin(), p->mediaRegions.end(), "eu-de"), p->mediaRegions.end());
  EXPECT_EQ(std::find(p->mediaRegions.begin(), p->mediaRegions.end(), "us-east"), p->mediaRegions.end());
}

TEST(PolicyProfile, HipaaKeepsAuditSixYearsAndRequiresStaffMfa) {
  auto p = loadPolicyByName("hipaa", policiesDir());
  ASSERT_TRUE(p) << p.error().toString();
  EXPECT_EQ(p->auditRetentionYears, 6u);
  EXPECT_TRUE(p->staffMfaRequired);
  EXPECT_EQ(p->idleLogoffMinutes, 15u);
}

TEST(PolicyProfile, HdsRequiresCertifiedHost) {
  auto p = loadPolicyByName("hds", policiesDir());
  ASSERT_TRUE(p) << p.error().toString();
  EXPECT_EQ(p->requiredHostCertification, "hds");
}

TEST(PolicyProfile, UnknownProfileNameIsRefused) {
  auto p = loadPolicyByName("../etc/passwd", policiesDir());
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("unknown policy profile"), std::string::npos);
}

// Finds the 1-based line of the first occurrence of `needle`.
uint32_t lineOf(const std::string& text, const std::string& needle) {
  auto pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  return static_cast<uint32_t>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n') + 1);
}

std::string kbvText() { return readFile(policiesDir() / "kbv.toml"); }

std::string replaceOnce(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return text.replace(pos, from.size(), to);
}

TEST(PolicyProfile, MisspeltKeyIsRefusedWithFileLineAndKey) {
  // The typo an operator makes: the [recording] table written as a dotted key.
  std::string text = "recordng.allowed = false\n" + kbvText();
  auto p = parsePolicy(text, "policies/kbv.toml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().key, "recordng.allowed");
  EXPECT_EQ(p.error().line, lineOf(text, "recordng.allowed"));
  EXPECT_EQ(p.error().toString(),
            "policies/kbv.toml:" + std::to_string(lineOf(text, "recordng.allowed")) + ": unknown key 'recordng.allowed'");
}

TEST(PolicyProfile, UnknownKeyInsideKnownTableIsRefused) {
  std::string text = replaceOnce(kbvText(), "allowed = false\n", "allowed = false\nallow_guests = true\n");
  auto p = parsePolicy(text, "kbv.toml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().key, "recording.allow_guests");
  EXPECT_EQ(p.error().line, lineOf(text, "allow_guests"));
}

TEST(PolicyProfile, WrongTypeIsRefusedWithLine) {
  std::string text = replaceOnce(kbvText(), "metadata_days = 90", "metadata_days = \"90\"");
  auto p = parsePolicy(text, "kbv.toml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().key, "retention.metadata_days");
  EXPECT_EQ(p.error().line, lineOf(text, "metadata_days"));
  EXPECT_NE(p.error().message.find("must be an integer, got string"), std::string::npos) << p.error().toString();
}

TEST(PolicyProfile, BadValuesAreRefusedWithLine) {
  struct Case {
    std::string from, to, key, needle;
  };
  const Case cases[] = {
      {"min_tls_version = \"1.2\"", "min_tls_version = \"1.1\"", "encryption.min_tls_version", "min_tls_version"},
      {"metadata_days = 90", "metadata_days = 0", "retention.metadata_days", "metadata_days"},
      {"media = [\"eu-at\"", "media = [\"mars-1\"", "regions.media", "mars-1"},
      {"third_party_origins = []", "third_party_origins = [\"http://ads.example\"]", "web.third_party_origins",
       "ads.example"},
      {"e2ee_required = true", "e2ee_required = 1", "encryption.e2ee_required", "e2ee_required ="},
  };
  for (const auto& c : cases) {
    std::string text = replaceOnce(kbvText(), c.from, c.to);
    auto p = parsePolicy(text, "kbv.toml");
    ASSERT_FALSE(p) << c.to;
    EXPECT_EQ(p.error().key, c.key) << p.error().toString();
    EXPECT_EQ(p.error().line, lineOf(text, c.needle)) << p.error().toString();
  }
}

TEST(PolicyProfile, MissingRuleIsRefused) {
  std::string text = replaceOnce(kbvText(), "staff_mfa_required = true\n", "");
  auto p = parsePolicy(text, "kbv.toml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().key, "accounts.staff_mfa_required");
  EXPECT_NE(p.error().message.find("missing key"), std::string::npos);
}

TEST(PolicyProfile, TomlSyntaxErrorCarriesLine) {
  std::string text = "[profile]\nname = \"x\"\ntitle = \n";
  auto p = parsePolicy(text, "bad.toml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().line, 3u);
  EXPECT_EQ(p.error().toString().rfind("bad.toml:3: TOML syntax error", 0), 0u) << p.error().toString();
}

TEST(PolicyProfile, MissingFileIsRefused) {
  auto p = loadPolicy("/nonexistent/kbv.toml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().toString(), "/nonexistent/kbv.toml: cannot open policy file");
}

}  // namespace
}  // namespace medrtc::compliance
