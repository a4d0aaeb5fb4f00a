// `audit export` shows pseudonyms unless asked for names, and asking is itself audited.
#include <gtest/gtest.h>

#include <sstream>

#include <boost/json.hpp>

#include "audit_fixtures.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_verify.hpp"
#include "compliance/fhir_export.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

using testing::readFile;
using testing::TempDir;

void writeLogWithAGuestName(const std::filesystem::path& dir) {
  ManualClock clock;
  auto log = AuditLog::open(testing::logOptions(dir, &clock));
  log->append(testing::loginEvent(0));
  log->append(testing::admitEvent("Patient/g_1", "Maria Musterfrau"));
}

TEST(AuditExport, PseudonymisedByDefault) {
  TempDir dir;
  writeLogWithAGuestName(dir.path());
  std::ostringstream out, err;
  ASSERT_EQ(runAuditExport(dir.path(), "fhir", out, err), 0) << err.str();
  std::string text = out.str();
  EXPECT_EQ(text.find("Maria Musterfrau"), std::string::npos) << text;
  EXPECT_EQ(text.find("Erika Mustermann"), std::string::npos) << text;
  auto bundle = boost::json::parse(text).as_object();
  EXPECT_EQ(bundle.at("meta").at("security").as_array()[0].at("code"), "PSEUDED");
  const auto& admit = bundle.at("entry").as_array()[1].at("resource");
  // The subject stays known by its id; the name reads "[sealed]".
  EXPECT_EQ(admit.at("entity").as_array()[0].at("what").at("reference"), "Patient/g_1");
  EXPECT_EQ(admit.at("entity").as_array()[0].at("what").at("display"), kSealedText);
  const auto& login = bundle.at("entry").as_array()[0].at("resource");
  EXPECT_EQ(login.at("agent").as_array()[0].at("name"), kSealedText);
  // Reading the pseudonymised export changes nothing in the log.
  EXPECT_EQ(verifyAuditLog(dir.path()).eventCount, 2u);
}

TEST(AuditExport, UnsealedExportIsRecordedInTheLogBeforeAnyNameIsWritten) {
  TempDir dir;
  writeLogWithAGuestName(dir.path());
  std::ostringstream out, err;
  ASSERT_EQ(runAuditExport(dir.path(), "fhir", out, err, /*unsealed=*/true), 0) << err.str();
  EXPECT_NE(out.str().find("Maria Musterfrau"), std::string::npos);
  auto bundle = boost::json::parse(out.str()).as_object();
  EXPECT_FALSE(bundle.contains("meta"));
  // The export event is in the log, closed and signed, and in the export itself.
  VerifyReport r = verifyAuditLog(dir.path());
  ASSERT_TRUE(r.ok) << r.summary();
  EXPECT_EQ(r.eventCount, 3u);
  EXPECT_TRUE(r.lastCheckpointClosed);
  const auto& exported = bundle.at("entry").as_array()[2].at("resource");
  EXPECT_EQ(exported.at("type").at("code"), "110106");  // DICOM Export
  EXPECT_EQ(exported.at("outcomeDesc"), "audit_export: unsealed (personal fields in clear)");
  std::string who(exported.at("agent").as_array()[0].at("who").at("reference").as_string());
  EXPECT_EQ(who.rfind("Device/medrtc-cli/uid-", 0), 0u) << who;
}

TEST(AuditExport, UnsealedExportIsRefusedWhenItCannotBeAudited) {
  TempDir dir;
  ManualClock clock;
  auto running = AuditLog::open(testing::logOptions(dir.path(), &clock));  // as `serve` holds it
  running->append(testing::admitEvent("Patient/g_1", "Maria Musterfrau"));
  std::ostringstream out, err;
  EXPECT_EQ(runAuditExport(dir.path(), "fhir", out, err, /*unsealed=*/true), 1);
  EXPECT_TRUE(out.str().empty());
  EXPECT_NE(err.str().find("in use by another process"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("without --unsealed"), std::string::npos) << err.str();
  // The pseudonymised export still works while serve runs.
  std::ostringstream sealed;
  EXPECT_EQ(runAuditExport(dir.path(), "fhir", sealed, err), 0);
  EXPECT_EQ(sealed.str().find("Maria"), std::string::npos);
}

}  // namespace
}  // namespace medrtc::compliance
