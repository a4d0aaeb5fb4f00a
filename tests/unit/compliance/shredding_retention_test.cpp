#include <gtest/gtest.h>

#include <sstream>

#include <boost/json.hpp>

#include "audit_fixtures.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_verify.hpp"
#include "compliance/fhir_export.hpp"
#include "compliance/retention.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

using testing::TempDir;

// Unsealed: these tests read the names (or "[erased]") the log holds.
boost::json::object exportBundle(const std::filesystem::path& dir) {
  std::ostringstream out;
  FhirExportOptions options;
  options.unsealed = true;
  auto n = exportFhirBundle(dir, out, options);
  EXPECT_TRUE(n) << (n ? "" : n.error());
  boost::system::error_code ec;
  auto v = boost::json::parse(out.str(), ec);
  EXPECT_FALSE(ec) << "export is not valid JSON";
  return v.as_object();
}

std::string entityDisplay(const boost::json::object& bundle, size_t entry) {
  return std::string(bundle.at("entry").as_array()[entry].at("resource").at("entity").as_array()[0].at("what").at(
      "display").as_string());
}

TEST(FhirExport, BundleOfAuditEventsIsValidJson) {
  TempDir dir;
  ManualClock clock;
  {
    auto log = AuditLog::open(testing::logOptions(dir.path(), &clock));
    log->append(testing::loginEvent(0));
    log->append(testing::admitEvent("Patient/pt_1", "Max Mustermann"));
  }
  auto bundle = exportBundle(dir.path());
  EXPECT_EQ(bundle.at("resourceType"), "Bundle");
  EXPECT_EQ(bundle.at("type"), "collection");
  const auto& entries = bundle.at("entry").as_array();
  ASSERT_EQ(entries.size(), 2u);
  const auto& login = entries[0].at("resource").as_object();
  EXPECT_EQ(login.at("resourceType"), "AuditEvent");
  EXPECT_EQ(login.at("type").at("code"), "110114");
  EXPECT_EQ(login.at("subtype").as_array()[0].at("code"), "110122");
  EXPECT_EQ(login.at("action"), "E");
  EXPECT_EQ(login.at("outcome"), "0");
  EXPECT_EQ(login.at("recorded"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(login.at("agent").as_array()[0].at("who").at("reference"), "Practitioner/p_0");
  EXPECT_EQ(login.at("agent").as_array()[0].at("name"), "Dr. Erika Mustermann 0");
  EXPECT_EQ(login.at("agent").as_array()[0].at("requestor"), true);
  EXPECT_EQ(login.at("source").at("observer").at("display"), "node-test");
  EXPECT_EQ(entityDisplay(bundle, 1), "Max Mustermann");
}

TEST(FhirExport, UnknownFormatIsRefused) {
  TempDir dir;
  std::ostringstream out, err;
  EXPECT_EQ(runAuditExport(dir.path(), "csv", out, err), 1);
  EXPECT_NE(err.str().find("supported: fhir"), std::string::npos);
}

TEST(AuditLog, EventWithoutAgentIdIsRefused) {
  TempDir dir;
  auto log = AuditLog::open(testing::logOptions(dir.path(), nullptr));
  AuditEvent e = testing::loginEvent(0);
  e.agents[0].who.clear();
  EXPECT_THROW(log->append(e), AuditLogError);
  EXPECT_EQ(log->size(), 0u);
}

TEST(CryptoShredding, ErasingASubjectKeepsTheChainValidAndExportShowsErased) {
  TempDir dir;
  ManualClock clock;
  auto log = AuditLog::open(testing::logOptions(dir.path(), &clock));
  log->append(testing::admitEvent("Patient/pt_1", "Max Mustermann"));
  log->append(testing::admitEvent("Patient/pt_2", "Erika Musterfrau"));
  log->checkpoint();
  std::string before = testing::readFile(audit_files::events(dir.path()));

  EXPECT_TRUE(log->eraseSubject("Patient/pt_1"));
  EXPECT_FALSE(log->eraseSubject("Patient/pt_1"));
  log->append(testing::loginEvent(3));
  log->close();

  // The log bytes of the erased subject's events are unchanged: the chain verifies.
  EXPECT_EQ(testing::readFile(audit_files::events(dir.path())).substr(0, before.size()), before);
  VerifyReport r = verifyAuditLog(dir.path());
  EXPECT_TRUE(r.ok) << r.summary();

  auto bundle = exportBundle(dir.path());
  EXPECT_EQ(entityDisplay(bundle, 0), kErasedText);
  EXPECT_EQ(entityDisplay(bundle, 1), "Erika Musterfrau");
}

TEST(Retention, KbvErasesSubjectsAfter91DaysAndTheChainStillVerifies) {
  TempDir dir;
  ManualClock clock;
  auto kbv = loadPolicyByName("kbv", testing::policiesDir());
  ASSERT_TRUE(kbv) << kbv.error().toString();
  auto log = AuditLog::open(testing::logOptions(dir.path(), &clock));
  log->append(testing::admitEvent("Patient/pt_old", "Max Mustermann"));

  clock.advance(std::chrono::hours(24 * 60));
  log->append(testing::admitEvent("Patient/pt_recent", "Erika Musterfrau"));
  auto early = purgeExpired(*kbv, clock, log->subjectKeys());
  EXPECT_TRUE(early.erasedSubjects.empty());

  clock.advance(std::chrono::hours(24 * 31));  // pt_old: 91 days; pt_recent: 31 days
  auto report = purgeExpired(*kbv, clock, log->subjectKeys());
  EXPECT_EQ(report.erasedSubjects, std::vector<std::string>{"Patient/pt_old"});
  log->close();

  EXPECT_TRUE(verifyAuditLog(dir.path()).ok);
  auto bundle = exportBundle(dir.path());
  EXPECT_EQ(entityDisplay(bundle, 0), kErasedText);
  EXPECT_EQ(entityDisplay(bundle, 1), "Erika Musterfrau");
  EXPECT_EQ(testing::readFile(audit_files::events(dir.path())).find("Mustermann"), std::string::npos);
}

TEST(Retention, HipaaKeepsSubjectsFor6Years) {
  TempDir dir;
  ManualClock clock;
  auto hipaa = loadPolicyByName("hipaa", testing::policiesDir());
  ASSERT_TRUE(hipaa);
  FileSubjectKeyStore keys(dir.path() / "keys");
  keys.useKey("Patient/pt_1", clock.wallNow());
  clock.advance(std::chrono::hours(24 * 91));
  EXPECT_TRUE(purgeExpired(*hipaa, clock, keys).erasedSubjects.empty());
  clock.advance(std::chrono::hours(24 * 365 * 6));
  EXPECT_EQ(purgeExpired(*hipaa, clock, keys).erasedSubjects.size(), 1u);
}

struct FakeStoreTarget final : RetentionTarget {
  std::string name() const override { return "store.metadata"; }
  uint64_t purgeBefore(WallTime cutoff) override {
    seenCutoff = cutoff;
    return 3;
  }
  WallTime seenCutoff{};
};

TEST(Retention, OtherTargetsGetTheSameCutoff) {
  TempDir dir;
  ManualClock clock;
  auto kbv = loadPolicyByName("kbv", testing::policiesDir());
  FileSubjectKeyStore keys(dir.path() / "keys");
  FakeStoreTarget store;
  RetentionTarget* targets[] = {&store};
  auto report = purgeExpired(*kbv, clock, keys, targets);
  EXPECT_EQ(store.seenCutoff, clock.wallNow() - std::chrono::hours(24 * 90));
  ASSERT_EQ(report.purgedByTarget.size(), 1u);
  EXPECT_EQ(report.purgedByTarget[0].second, 3u);
}

}  // namespace
}  // namespace medrtc::compliance
