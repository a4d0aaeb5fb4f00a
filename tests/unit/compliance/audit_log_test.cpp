#include <gtest/gtest.h>

#include <sys/stat.h>

#include "audit_fixtures.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_verify.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

using testing::loginEvent;
using testing::logOptions;
using testing::readFile;
using testing::TempDir;

TEST(AuditLog, AppendReopenAndVerify) {
  TempDir dir;
  ManualClock clock;
  Hash rootBefore{};
  {
    auto log = AuditLog::open(logOptions(dir.path(), &clock));
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(log->append(loginEvent(i)), static_cast<uint64_t>(i));
    }
    EXPECT_EQ(log->lastCheckpointSize(), 8u);  // every 4 events
    rootBefore = log->root();
    log->close();
  }
  VerifyReport r = verifyAuditLog(dir.path());
  EXPECT_TRUE(r.ok) << r.summary();
  EXPECT_EQ(r.eventCount, 10u);
  EXPECT_EQ(r.checkpointCount, 3u);  // 4, 8, and 10 on close
  EXPECT_EQ(r.lastCheckpointSize, 10u);

  auto log = AuditLog::open(logOptions(dir.path(), &clock));
  EXPECT_EQ(log->size(), 10u);
  EXPECT_EQ(log->root(), rootBefore);
  log->append(loginEvent(10));
  log->close();
  EXPECT_TRUE(verifyAuditLog(dir.path()).ok);
}

TEST(AuditLog, KeyFilesAreCreatedPrivate) {
  TempDir dir;
  auto log = AuditLog::open(logOptions(dir.path(), nullptr));
  struct stat st {};
  ASSERT_EQ(::stat(audit_files::signingKey(dir.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(readFile(audit_files::signingPub(dir.path())), log->verifierKey() + "\n");
}

TEST(AuditLog, LinesAreCanonicalJsonWithIndexAndLeaf) {
  TempDir dir;
  ManualClock clock;
  {
    auto log = AuditLog::open(logOptions(dir.path(), &clock));
    log->append(loginEvent(0));
  }
  std::string text = readFile(audit_files::events(dir.path()));
  EXPECT_EQ(text.rfind("{\"event\":{\"action\":\"E\",\"agent\":[{\"name\":{\"box\":", 0), 0u) << text;
  EXPECT_NE(text.find("\"index\":0,\"leaf\":\""), std::string::npos);
  EXPECT_NE(text.find("\"recorded\":\"2023-11-14T22:13:20.000Z\""), std::string::npos);
  EXPECT_NE(text.find("\"source\":\"node-test\""), std::string::npos);
  // H7: the name is only present sealed.
  EXPECT_EQ(text.find("Mustermann"), std::string::npos);
}

TEST(AuditLog, CheckpointsAreC2spSignedNotes) {
  TempDir dir;
  auto log = AuditLog::open(logOptions(dir.path(), nullptr));
  for (int i = 0; i < 4; ++i) {
    log->append(loginEvent(i));
  }
  std::string text = readFile(audit_files::checkpoints(dir.path()));
  auto notes = splitNotes(text);
  ASSERT_EQ(notes.notes.size(), 1u);
  auto verifier = NoteVerifier::fromVerifierKey(log->verifierKey());
  ASSERT_TRUE(verifier);
  auto body = openNote(notes.notes[0], *verifier);
  ASSERT_TRUE(body);
  EXPECT_EQ(body.value(), "medrtc.local/audit\n4\n" + toBase64(log->root()) + "\n");
  EXPECT_NE(notes.notes[0].find("\n\n\xE2\x80\x94 medrtc.local/audit "), std::string::npos);
}

TEST(AuditLog, TimeBasedCheckpointOnTick) {
  TempDir dir;
  ManualClock clock;
  auto options = logOptions(dir.path(), &clock, 1000);
  options.checkpointEverySeconds = std::chrono::seconds(30);
  auto log = AuditLog::open(options);
  log->append(loginEvent(0));
  log->tick();
  EXPECT_EQ(log->lastCheckpointSize(), 0u);
  clock.advance(std::chrono::seconds(31));
  log->tick();
  EXPECT_EQ(log->lastCheckpointSize(), 1u);
}

TEST(AuditLog, ProofsFromTheLogVerifyAgainstItsRoot) {
  TempDir dir;
  auto log = AuditLog::open(logOptions(dir.path(), nullptr));
  for (int i = 0; i < 13; ++i) {
    log->append(loginEvent(i));
  }
  Hash root = log->root();
  MerkleTree tree;
  const std::string text = readFile(audit_files::events(dir.path()));  // the views below point into it
  for (auto line : splitLines(text).lines) {
    tree.appendLeafHash(decodeEventLine(line)->storedLeaf);
  }
  auto proof = log->inclusionProof(5, 13);
  ASSERT_TRUE(proof);
  EXPECT_TRUE(verifyInclusion(5, 13, tree.leafHash(5), *proof, root));
  auto consistency = log->consistencyProof(8, 13);
  ASSERT_TRUE(consistency);
  EXPECT_TRUE(verifyConsistency(8, 13, tree.rootAt(8), root, *consistency));
}

TEST(AuditLog, RefusesToOpenATamperedLog) {
  TempDir dir;
  {
    auto log = AuditLog::open(logOptions(dir.path(), nullptr));
    log->append(loginEvent(0));
    log->append(loginEvent(1));
  }
  std::string text = readFile(audit_files::events(dir.path()));
  text[text.find("Room/r_1") + 7] = '9';
  testing::writeFile(audit_files::events(dir.path()), text);
  EXPECT_THROW(AuditLog::open(logOptions(dir.path(), nullptr)), AuditLogError);
}

TEST(AuditLog, RunAuditVerifyPrintsSummaryAndExitCode) {
  TempDir dir;
  {
    auto log = AuditLog::open(logOptions(dir.path(), nullptr));
    log->append(loginEvent(0));
  }
  std::ostringstream out;
  EXPECT_EQ(runAuditVerify(dir.path(), out), 0);
  EXPECT_NE(out.str().find("audit log OK: 1 events, 1 signed checkpoints"), std::string::npos) << out.str();
  std::ostringstream missing;
  EXPECT_EQ(runAuditVerify(dir.path() / "nope", missing), 1);
}

}  // namespace
}  // namespace medrtc::compliance
