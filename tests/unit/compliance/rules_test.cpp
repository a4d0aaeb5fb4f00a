#include <gtest/gtest.h>

#include "compliance/rules.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

PolicyProfile profile(const std::string& name) {
  auto p = loadPolicyByName(name, testing::policiesDir());
  EXPECT_TRUE(p) << p.error().toString();
  return p.value();
}

// A node configured as well as this build allows.
NodeSettings goodNode(const std::string& region) {
  NodeSettings s;
  s.nodeId = "node-1";
  s.region = region;
  s.tlsEnabled = true;
  s.tlsMinVersion = "1.2";
  s.turnCredentialTtlSeconds = 600;
  s.idleLogoffMinutes = 15;
  s.staffMfaEnforced = true;
  s.hostCertifications = {"hds"};
  return s;
}

const RuleViolation* find(const std::vector<RuleViolation>& vs, const std::string& rule) {
  for (const auto& v : vs) {
    if (v.rule == rule) {
      return &v;
    }
  }
  return nullptr;
}

TEST(NodeConfig, RegionOutsideAllowedListRefusesStartNamingTheRule) {
  auto vs = checkNodeConfig(profile("kbv"), goodNode("us-east"));
  const RuleViolation* v = find(vs, "regions.media");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->severity, Severity::Refuse);
  EXPECT_EQ(v->message().rfind("policy kbv: rule regions.media=[", 0), 0u) << v->message();
  EXPECT_NE(v->message().find("\"us-east\" is outside the allowed regions"), std::string::npos);
  EXPECT_NE(find(vs, "regions.storage"), nullptr);
  EXPECT_TRUE(refusesStart(vs, false));
}

TEST(NodeConfig, SwissNodeIsNotEuEeaUnderKbv) {
  auto vs = checkNodeConfig(profile("kbv"), goodNode("ch"));
  EXPECT_NE(find(vs, "regions.media"), nullptr);
}

TEST(NodeConfig, StorageRegionIsCheckedSeparately) {
  NodeSettings s = goodNode("eu-de");
  s.storageRegion = "us-west";
  auto vs = checkNodeConfig(profile("gdpr"), s);
  EXPECT_EQ(find(vs, "regions.media"), nullptr);
  ASSERT_NE(find(vs, "regions.storage"), nullptr);
}

TEST(NodeConfig, GermanNodeUnderKbvStartsButReportsP2pNotMet) {
  NodeSettings s = goodNode("eu-de");
  s.e2eeAvailable = true;  // as app/security_setup.cpp states it: E2EE is built, no switch
  auto vs = checkNodeConfig(profile("kbv"), s);
  EXPECT_EQ(find(vs, "regions.media"), nullptr);
  EXPECT_EQ(find(vs, "encryption.e2ee_required"), nullptr);
  const RuleViolation* p2p = find(vs, "media.p2p_preferred_one_to_one");
  ASSERT_NE(p2p, nullptr);
  EXPECT_EQ(p2p->severity, Severity::NotMet);
  EXPECT_FALSE(refusesStart(vs, false));
  EXPECT_TRUE(refusesStart(vs, true));
}

// K6 is met only where E2EE is built (compliance/built_features.hpp) and the node enforces
// it; a node that does not is refused, not merely "not met": KBV calls would run in clear.
TEST(NodeConfig, E2eeIsMetOnlyWhereBuiltAndEnforced) {
  NodeSettings s = goodNode("eu-de");
  s.e2eeAvailable = false;
  auto off = checkNodeConfig(profile("kbv"), s);
  const RuleViolation* v = find(off, "encryption.e2ee_required");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->severity, Severity::Refuse);
  EXPECT_NE(v->message().find("switched off"), std::string::npos);
  s.e2eeAvailable = true;
  EXPECT_EQ(find(checkNodeConfig(profile("kbv"), s), "encryption.e2ee_required"), nullptr);
}

// Under E2EE the server cannot record or transcribe (docs/e2ee.md): a node with either
// switched on under a profile requiring E2EE is refused, naming the E2EE rule.
TEST(NodeConfig, RecordingOrTranscriptionUnderE2eeRefusesStart) {
  NodeSettings s = goodNode("eu-de");
  s.e2eeAvailable = true;
  s.transcriptionFeatureEnabled = true;
  auto vs = checkNodeConfig(profile("kbv"), s);
  const RuleViolation* v = find(vs, "encryption.e2ee_required");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->severity, Severity::Refuse);
  EXPECT_NE(v->message().find("cannot transcribe"), std::string::npos);
  EXPECT_TRUE(refusesStart(vs, false));
}

// P2P for 1:1 is built (signaling/media_mode.cpp): met where the node runs it, which
// app/security_setup.cpp states when the node's own --policy prefers it.
TEST(NodeConfig, P2pIsMetOnlyWhereTheNodeRunsIt) {
  NodeSettings s = goodNode("eu-de");
  auto vs = checkNodeConfig(profile("kbv"), s);  // named: `find` points into it
  const RuleViolation* off = find(vs, "media.p2p_preferred_one_to_one");
  ASSERT_NE(off, nullptr);
  EXPECT_EQ(off->severity, Severity::NotMet);
  EXPECT_NE(off->message().find("or the tenant's profile prefers it"), std::string::npos);
  s.p2pAvailable = true;
  EXPECT_EQ(find(checkNodeConfig(profile("kbv"), s), "media.p2p_preferred_one_to_one"), nullptr);
}

TEST(NodeConfig, RecordingFeatureEnabledUnderKbvRefusesStart) {
  NodeSettings s = goodNode("eu-de");
  s.recordingFeatureEnabled = true;
  auto vs = checkNodeConfig(profile("kbv"), s);
  const RuleViolation* v = find(vs, "recording.allowed");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->message().rfind("policy kbv: rule recording.allowed=false", 0), 0u);
  EXPECT_TRUE(refusesStart(vs, false));
}

TEST(NodeConfig, TlsOffOrTooOldRefusesStart) {
  NodeSettings s = goodNode("us-east");
  s.tlsEnabled = false;
  EXPECT_NE(find(checkNodeConfig(profile("hipaa"), s), "encryption.min_tls_version"), nullptr);
  s.tlsEnabled = true;
  s.tlsMinVersion = "1.2";
  EXPECT_EQ(find(checkNodeConfig(profile("hipaa"), s), "encryption.min_tls_version"), nullptr);
}

TEST(NodeConfig, LongTurnCredentialsRefused) {
  NodeSettings s = goodNode("us-east");
  s.turnCredentialTtlSeconds = 86400;
  const auto vs = checkNodeConfig(profile("hipaa"), s);
  const RuleViolation* v = find(vs, "encryption.turn_credential_ttl_seconds");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->message().rfind("policy hipaa: rule encryption.turn_credential_ttl_seconds=3600", 0), 0u);
}

TEST(NodeConfig, HdsWithoutCertifiedHostRefusesStart) {
  NodeSettings s = goodNode("eu-fr");
  s.hostCertifications.clear();
  auto vs = checkNodeConfig(profile("hds"), s);
  ASSERT_NE(find(vs, "regions.required_host_certification"), nullptr);
  EXPECT_TRUE(refusesStart(vs, false));
}

TEST(NodeConfig, ThirdPartyOriginRefusedUnderKbv) {
  NodeSettings s = goodNode("eu-de");
  s.thirdPartyOrigins = {"https://fonts.example.com"};
  EXPECT_NE(find(checkNodeConfig(profile("kbv"), s), "web.third_party_origins"), nullptr);
}

TEST(NodeConfig, IdleLogoffAndMfaFollowTheNodePolicy) {
  // What app/security_setup.cpp states for a node under hipaa: MFA for every tenant's
  // staff, sessions idle at most 15 minutes.
  NodeSettings enforced = goodNode("us-east");
  enforced.accountPolicy = "hipaa";
  auto vs = checkNodeConfig(profile("hipaa"), enforced);
  EXPECT_EQ(find(vs, "session.idle_logoff_minutes"), nullptr);
  EXPECT_EQ(find(vs, "accounts.staff_mfa_required"), nullptr);

  // A node without --policy: a tenant may choose up to 1440 minutes and no TOTP.
  NodeSettings open = goodNode("us-east");
  open.accountPolicy = "";
  open.idleLogoffMinutes = 1440;
  open.staffMfaEnforced = false;
  vs = checkNodeConfig(profile("hipaa"), open);
  ASSERT_NE(find(vs, "session.idle_logoff_minutes"), nullptr);
  EXPECT_EQ(find(vs, "session.idle_logoff_minutes")->severity, Severity::Refuse);
  EXPECT_EQ(find(vs, "session.idle_logoff_minutes")->message().rfind("policy hipaa: rule session.idle_logoff_minutes=15: "
                                                                    "staff sessions may stay idle for up to 1440 minutes",
                                                                    0),
            0u);
  ASSERT_NE(find(vs, "accounts.staff_mfa_required"), nullptr);
  EXPECT_NE(find(vs, "accounts.staff_mfa_required")->message().find("without --policy"), std::string::npos);
  EXPECT_TRUE(refusesStart(vs, false));

  // gdpr allows 30 minutes and no MFA: a gdpr node is fine under gdpr, not under hipaa.
  NodeSettings gdprNode = goodNode("eu-de");
  gdprNode.accountPolicy = "gdpr";
  gdprNode.idleLogoffMinutes = 30;
  gdprNode.staffMfaEnforced = false;
  vs = checkNodeConfig(profile("gdpr"), gdprNode);
  EXPECT_EQ(find(vs, "session.idle_logoff_minutes"), nullptr);
  EXPECT_EQ(find(vs, "accounts.staff_mfa_required"), nullptr);
  gdprNode.region = "us-east";
  vs = checkNodeConfig(profile("hipaa"), gdprNode);
  EXPECT_NE(find(vs, "session.idle_logoff_minutes"), nullptr);
  ASSERT_NE(find(vs, "accounts.staff_mfa_required"), nullptr);
  EXPECT_NE(find(vs, "accounts.staff_mfa_required")->message().find("profile gdpr does not require it"),
            std::string::npos);
}

TEST(Action, RecordingUnderKbvRefusedNamingTheRule) {
  auto v = checkAction(profile("kbv"), action::StartRecording{});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->message(), "policy kbv: rule recording.allowed=false: recording refused");
  auto t = checkAction(profile("kbv"), action::StartTranscription{});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->rule, "transcription.allowed");
}

// A profile that allows recording but requires E2EE: the server has no key to record with.
TEST(Action, RecordingAndTranscriptionUnderE2eeAreRefusedNamingIt) {
  PolicyProfile p = profile("hipaa");
  p.e2eeRequired = true;
  p.transcriptionAllowed = true;
  auto rec = checkAction(p, action::StartRecording{});
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->rule, "encryption.e2ee_required");
  EXPECT_NE(rec->message().find("end-to-end encrypted"), std::string::npos);
  auto tr = checkAction(p, action::StartTranscription{});
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->rule, "encryption.e2ee_required");
}

TEST(Action, RecordingAllowedByHipaaIsStillRefusedWhileNotBuilt) {
  auto v = checkAction(profile("hipaa"), action::StartRecording{});
  ASSERT_TRUE(v);
  EXPECT_NE(v->message().find("recording controls are not built"), std::string::npos);
}

TEST(Action, StaffWithoutMfaRefusedWhereRequired) {
  auto v = checkAction(profile("hipaa"), action::EnableStaffAccount{false});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->message().rfind("policy hipaa: rule accounts.staff_mfa_required=true", 0), 0u);
  // GDPR baseline does not require MFA.
  EXPECT_FALSE(checkAction(profile("gdpr"), action::EnableStaffAccount{false}));
}

TEST(Action, StaffWithMfaIsAllowedWhereRequired) {
  // TOTP is built (clinic/totp.cpp): an enrolled account satisfies the rule.
  EXPECT_FALSE(checkAction(profile("kbv"), action::EnableStaffAccount{true}));
  auto v = checkAction(profile("kbv"), action::EnableStaffAccount{false});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->message(), "policy kbv: rule accounts.staff_mfa_required=true: staff account without MFA refused");
}

TEST(Action, StaffAccountIsCheckedUnderTheTenantsAndTheNodesProfile) {
  PolicyProfile kbv = profile("kbv");
  PolicyProfile gdpr = profile("gdpr");
  // The tenant's own profile.
  auto own = checkStaffAccount(&kbv, nullptr, false);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->profile, "kbv");
  // The node's profile is a floor under a laxer tenant profile.
  auto floor = checkStaffAccount(&gdpr, &kbv, false);
  ASSERT_TRUE(floor);
  EXPECT_EQ(floor->message().rfind("policy kbv: rule accounts.staff_mfa_required=true", 0), 0u);
  EXPECT_FALSE(checkStaffAccount(&gdpr, &kbv, true));
  EXPECT_FALSE(checkStaffAccount(&gdpr, nullptr, false));
  EXPECT_FALSE(checkStaffAccount(nullptr, &gdpr, false));
  EXPECT_FALSE(checkStaffAccount(nullptr, nullptr, false));
}

TEST(Action, IdleLogoffIsTheShortestOfTenantAndProfiles) {
  PolicyProfile kbv = profile("kbv");    // 15
  PolicyProfile gdpr = profile("gdpr");  // 30
  EXPECT_EQ(effectiveIdleLogoffMinutes(nullptr, nullptr, 60), 60u);
  EXPECT_EQ(effectiveIdleLogoffMinutes(&gdpr, nullptr, 60), 30u);
  EXPECT_EQ(effectiveIdleLogoffMinutes(&gdpr, &kbv, 60), 15u);
  EXPECT_EQ(effectiveIdleLogoffMinutes(&kbv, nullptr, 5), 5u);
  EXPECT_EQ(effectiveIdleLogoffMinutes(nullptr, nullptr, 0), 1u);
}

TEST(Action, ThirdParticipantNeedsHostApproval) {
  auto v = checkAction(profile("kbv"), action::AdmitThirdParticipant{false});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->message().rfind("policy kbv: rule session.third_participant_needs_host_approval=true", 0), 0u);
  EXPECT_FALSE(checkAction(profile("kbv"), action::AdmitThirdParticipant{true}));
}

TEST(Action, StoringDataOutsideAllowedRegionsRefused) {
  auto v = checkAction(profile("kbv"), action::StoreData{"us-west"});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->rule, "regions.storage");
  EXPECT_FALSE(checkAction(profile("kbv"), action::StoreData{"eu-fr"}));
  EXPECT_TRUE(checkAction(profile("hipaa"), action::PlaceMedia{"eu-fr"}));
  EXPECT_TRUE(checkAction(profile("gdpr"), action::StoreData{"nowhere"}));
}

TEST(Action, TurnCredentialLifetimeCapped) {
  EXPECT_TRUE(checkAction(profile("kbv"), action::IssueTurnCredential{7200}));
  EXPECT_FALSE(checkAction(profile("kbv"), action::IssueTurnCredential{600}));
}

}  // namespace
}  // namespace medrtc::compliance
