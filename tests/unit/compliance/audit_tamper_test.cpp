// Each kind of tampering is detected, with the index where it starts.
#include <gtest/gtest.h>

#include <fstream>

#include "audit_fixtures.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_verify.hpp"
#include "compliance/canonical_json.hpp"
#include "test_support.hpp"

#include <boost/json.hpp>

namespace medrtc::compliance {
namespace {

using testing::readFile;
using testing::TempDir;
using testing::writeFile;

class AuditTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    // 10 events, checkpoints at 4, 8 and 10 (close).
    auto log = AuditLog::open(testing::logOptions(dir_.path(), &clock_));
    for (int i = 0; i < 10; ++i) {
      log->append(testing::loginEvent(i));
    }
    log->close();
    ASSERT_TRUE(verifyAuditLog(dir_.path()).ok);
  }

  std::vector<std::string> lines() {
    std::vector<std::string> out;
    const std::string text = readFile(events());  // the views below point into it
    for (auto l : splitLines(text).lines) {
      out.emplace_back(l);
    }
    return out;
  }
  void writeLines(const std::vector<std::string>& ls) {
    std::string text;
    for (const auto& l : ls) {
      text += l + "\n";
    }
    writeFile(events(), text);
  }
  std::filesystem::path events() { return audit_files::events(dir_.path()); }
  std::filesystem::path checkpoints() { return audit_files::checkpoints(dir_.path()); }

  void expectBroken(Tamper kind, uint64_t index) {
    VerifyReport r = verifyAuditLog(dir_.path());
    ASSERT_FALSE(r.ok) << r.summary();
    EXPECT_EQ(r.problems.front().kind, kind) << r.summary();
    EXPECT_EQ(r.firstBrokenIndex(), index) << r.summary();
    std::ostringstream out;
    EXPECT_EQ(runAuditVerify(dir_.path(), out), 1);
    EXPECT_NE(out.str().find(std::string(tamperName(kind)) + ", index " + std::to_string(index)), std::string::npos)
        << out.str();
  }

  TempDir dir_;
  ManualClock clock_;
};

TEST_F(AuditTamper, EditedByteIsDetectedAtItsIndex) {
  std::string text = readFile(events());
  auto pos = text.find("Room/r_5");
  ASSERT_NE(pos, std::string::npos);
  text[pos + 7] = '7';
  writeFile(events(), text);
  expectBroken(Tamper::EditedEvent, 5);
}

TEST_F(AuditTamper, WhitespaceOnlyEditIsStillAnEdit) {
  auto ls = lines();
  ls[2].insert(1, " ");
  writeLines(ls);
  expectBroken(Tamper::EditedEvent, 2);
}

TEST_F(AuditTamper, DeletedEventIsDetectedAtItsIndex) {
  auto ls = lines();
  ls.erase(ls.begin() + 6);
  writeLines(ls);
  expectBroken(Tamper::DeletedEvent, 6);
}

TEST_F(AuditTamper, SwappedEventsAreDetectedAtTheFirstIndex) {
  auto ls = lines();
  std::swap(ls[3], ls[4]);
  writeLines(ls);
  expectBroken(Tamper::ReorderedEvents, 3);
}

TEST_F(AuditTamper, TruncatedTailInsideSignedEventsIsDetected) {
  std::string text = readFile(events());
  auto ls = lines();
  size_t cut = 0;
  for (int i = 0; i < 8; ++i) {
    cut += ls[i].size() + 1;
  }
  writeFile(events(), text.substr(0, cut + ls[8].size() / 2));
  expectBroken(Tamper::TruncatedTail, 8);
}

TEST_F(AuditTamper, DroppedLastEventsAreDetected) {
  auto ls = lines();
  ls.resize(9);
  writeLines(ls);
  expectBroken(Tamper::TruncatedTail, 9);
}

TEST_F(AuditTamper, ForgedCheckpointSignatureIsDetected) {
  std::string text = readFile(checkpoints());
  auto notes = splitNotes(text);
  ASSERT_EQ(notes.notes.size(), 3u);
  std::string forged = notes.notes[1];
  // Change the tree size the note claims; the signature no longer covers it.
  forged.replace(forged.find("\n8\n"), 3, "\n7\n");
  writeFile(checkpoints(), notes.notes[0] + "\n" + forged + "\n" + notes.notes[2] + "\n");
  VerifyReport r = verifyAuditLog(dir_.path());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.problems.front().kind, Tamper::ForgedCheckpoint) << r.summary();
  EXPECT_EQ(r.problems.front().checkpoint, 1u);
  EXPECT_NE(r.summary().find("bad signature"), std::string::npos);
}

TEST_F(AuditTamper, CheckpointByAnotherKeyIsDetected) {
  auto other = NoteSigner::generate("medrtc.local/audit");
  ASSERT_TRUE(other);
  std::ofstream(checkpoints(), std::ios::app) << other->sign(checkpointBody({"medrtc.local/audit", 10, {}})) << "\n";
  VerifyReport r = verifyAuditLog(dir_.path());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.problems.front().kind, Tamper::ForgedCheckpoint);
  EXPECT_EQ(r.problems.front().checkpoint, 3u);
}

TEST_F(AuditTamper, ValidlySignedCheckpointWithWrongRootIsDetected) {
  // Someone with the signing key signs a root the events do not support; the later
  // checkpoints still agree with the events, so the odd one is the forgery.
  auto signer = NoteSigner::fromPrivateKey(readFile(audit_files::signingKey(dir_.path())));
  ASSERT_TRUE(signer);
  auto notes = splitNotes(readFile(checkpoints())).notes;
  std::string forged = signer->sign(checkpointBody({"medrtc.local/audit", 6, hashLeaf("not the root")}));
  writeFile(checkpoints(), notes[0] + "\n" + forged + "\n" + notes[1] + "\n" + notes[2] + "\n");
  VerifyReport r = verifyAuditLog(dir_.path());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.problems.front().kind, Tamper::ForgedCheckpoint) << r.summary();
  EXPECT_EQ(r.problems.front().index, 6u);
}

TEST_F(AuditTamper, RehashedEditIsCaughtByTheSignedCheckpoints) {
  // The attacker edits event 5 and recomputes its leaf hash: every line is self-consistent,
  // but the signed roots at sizes 8 and 10 no longer match.
  auto ls = lines();
  auto v = boost::json::parse(ls[5]);
  auto& event = v.as_object()["event"].as_object();
  event["outcome"] = 4;
  Hash leaf{};
  ls[5] = encodeEventLine(event, 5, leaf);
  writeLines(ls);
  VerifyReport r = verifyAuditLog(dir_.path());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.problems.front().kind, Tamper::RewrittenLog) << r.summary();
  EXPECT_EQ(r.firstBrokenIndex(), 4u);  // the last checkpoint that still matches is at size 4
  EXPECT_NE(r.summary().find("indices [4, 8)"), std::string::npos) << r.summary();
}

TEST_F(AuditTamper, PinnedVerifierKeyDefeatsAReplacedKeyPair) {
  std::string pinned = readFile(audit_files::signingPub(dir_.path()));
  // An attacker replaces the key pair and re-signs every checkpoint.
  auto attacker = NoteSigner::generate("medrtc.local/audit");
  writeFile(audit_files::signingPub(dir_.path()), attacker->verifier().verifierKey() + "\n");
  MerkleTree tree;
  for (const auto& l : lines()) {
    tree.appendLeafHash(decodeEventLine(l)->storedLeaf);
  }
  writeFile(checkpoints(), attacker->sign(checkpointBody({"medrtc.local/audit", 10, tree.root()})) + "\n");
  EXPECT_TRUE(verifyAuditLog(dir_.path()).ok);  // the file-held key proves nothing against this attacker
  VerifyOptions options;
  options.trustedVerifierKey = pinned;
  VerifyReport r = verifyAuditLog(dir_.path(), options);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.problems.front().kind, Tamper::ForgedCheckpoint);
}

TEST_F(AuditTamper, TornUncommittedTailIsReportedButThePrefixVerifies) {
  // What a crash in the middle of write(2) leaves: a final line without '\n'.
  std::ofstream(events(), std::ios::app) << "{\"event\":{\"action\":\"E\",\"ag";
  VerifyReport r = verifyAuditLog(dir_.path());
  EXPECT_TRUE(r.ok) << r.summary();
  EXPECT_EQ(r.eventCount, 10u);
  EXPECT_EQ(r.tornTailIndex, 10u);
  EXPECT_NE(r.summary().find("truncated tail, index 10"), std::string::npos) << r.summary();

  // Reopening cuts the torn line and records a security alert in its place.
  auto log = AuditLog::open(testing::logOptions(dir_.path(), &clock_));
  EXPECT_EQ(log->repairedTornTail(), 10u);
  EXPECT_EQ(log->size(), 11u);
  log->close();
  VerifyReport after = verifyAuditLog(dir_.path());
  EXPECT_TRUE(after.ok) << after.summary();
  EXPECT_FALSE(after.tornTailIndex);
  EXPECT_NE(readFile(events()).find("torn final line removed at index 10"), std::string::npos);
}

}  // namespace
}  // namespace medrtc::compliance
