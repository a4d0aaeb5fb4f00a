// The end of the log: what close() signs, what may follow it, how a merely unsigned tail
// differs from an append after close, how often checkpoints come, and the witness copy.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "audit_fixtures.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_verify.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

using testing::readFile;
using testing::TempDir;
using testing::writeFile;

// What an attacker with write access to the files (but not the key) can do: append a
// well-formed event line whose leaf hash is correctly computed.
void appendForgedEvent(const std::filesystem::path& dir, uint64_t index) {
  auto json = toLogJson(testing::loginEvent(99, /*withName=*/false));
  ASSERT_TRUE(json);
  Hash leaf{};
  std::ofstream(audit_files::events(dir), std::ios::app) << encodeEventLine(json.value(), index, leaf) << "\n";
}

// The files as a crash (kill -9) would leave them while `log` is open.
void copyAsCrashed(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::copy(audit_files::dir(from), audit_files::dir(to), std::filesystem::copy_options::recursive);
}

// Six events with a checkpoint every 4: signed at 4, events 4 and 5 an unsigned tail. `to`
// gets the files as a crash would leave them; `dir` goes on and closes.
void writeSixAndCrash(const std::filesystem::path& dir, const std::filesystem::path& to, ManualClock& clock) {
  auto log = AuditLog::open(testing::logOptions(dir, &clock));
  for (int i = 0; i < 6; ++i) {
    log->append(testing::loginEvent(i));
  }
  copyAsCrashed(dir, to);
}

std::string verifyOutput(const std::filesystem::path& dir, int& rc, const VerifyOptions& options = {}) {
  std::ostringstream out;
  rc = runAuditVerify(dir, out, options);
  return out.str();
}

TEST(AuditClose, CloseSignsACheckpointThatSaysClosed) {
  TempDir dir;
  ManualClock clock;
  auto log = AuditLog::open(testing::logOptions(dir.path(), &clock));
  for (int i = 0; i < 4; ++i) {
    log->append(testing::loginEvent(i));  // the 4th signs a checkpoint at 4
  }
  log->close();  // nothing new, still a closing checkpoint
  auto notes = splitNotes(readFile(audit_files::checkpoints(dir.path()))).notes;
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1].find("\n4\n"), notes[0].find("\n4\n"));
  EXPECT_NE(notes[1].find("\nclosed\n"), std::string::npos) << notes[1];
  EXPECT_EQ(notes[0].find("closed"), std::string::npos);
  VerifyReport r = verifyAuditLog(dir.path());
  EXPECT_TRUE(r.ok) << r.summary();
  EXPECT_TRUE(r.lastCheckpointClosed);
}

TEST(AuditClose, AnEventAppendedAfterCloseWithACorrectHashIsReported) {
  TempDir dir;
  ManualClock clock;
  {
    auto log = AuditLog::open(testing::logOptions(dir.path(), &clock));
    for (int i = 0; i < 10; ++i) {
      log->append(testing::loginEvent(i));
    }
  }  // closed at 10
  appendForgedEvent(dir.path(), 10);
  VerifyReport r = verifyAuditLog(dir.path());
  ASSERT_FALSE(r.ok) << r.summary();
  EXPECT_EQ(r.problems.front().kind, Tamper::AppendedAfterClose);
  EXPECT_EQ(r.firstBrokenIndex(), 10u);
  int rc = 0;
  std::string out = verifyOutput(dir.path(), rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("events after close, index 10: 1 events follow checkpoint #2, which closed the log at size 10"),
            std::string::npos)
      << out;
  // The server does not append to it either.
  EXPECT_THROW(AuditLog::open(testing::logOptions(dir.path(), &clock)), AuditLogError);
}

// An audit's probe: with checkpoints.log deleted, every event rewritten with recomputed
// hashes passed `audit verify` (exit 0, "unsigned tail"). A server never leaves more than
// 15 events plus one write (256) unsigned, so a longer tail lost its checkpoints.
TEST(AuditClose, ATailLongerThanAServerLeavesUnsignedHasLostItsCheckpoints) {
  TempDir dir, small;
  ManualClock clock;
  for (const auto& [where, events] : {std::pair{dir.path(), 300}, std::pair{small.path(), 200}}) {
    auto log = AuditLog::open(testing::logOptions(where, &clock, 16));
    for (int i = 0; i < events; ++i) {
      log->append(testing::loginEvent(i));
    }
    log->close();
  }
  int rc = -1;
  std::string out = verifyOutput(dir.path(), rc);
  ASSERT_EQ(rc, 0) << out;

  std::filesystem::remove(audit_files::checkpoints(dir.path()));
  out = verifyOutput(dir.path(), rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("deleted checkpoint"), std::string::npos) << out;
  EXPECT_NE(out.find("300 events after the start of the log are unsigned"), std::string::npos) << out;

  // Within the bound it is still only unsigned (what a crash right after a large write
  // leaves): a warning, as before. Only a witness tells those apart.
  std::filesystem::remove(audit_files::checkpoints(small.path()));
  out = verifyOutput(small.path(), rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("warning: unsigned tail: 200 events"), std::string::npos) << out;
}

// A reopened crashed log signs the tail the crash left at once: otherwise a second crash
// after the next large write could leave two crashes' worth unsigned, past verify's bound.
TEST(AuditClose, ReopeningACrashedLogSignsTheTailTheCrashLeft) {
  TempDir dir, crashed, crashedAgain;
  ManualClock clock;
  writeSixAndCrash(dir.path(), crashed.path(), clock);
  {
    auto log = AuditLog::open(testing::logOptions(crashed.path(), &clock));
    EXPECT_EQ(log->lastCheckpointSize(), 6u);
    copyAsCrashed(crashed.path(), crashedAgain.path());
  }
  int rc = -1;
  std::string out = verifyOutput(crashedAgain.path(), rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out.find("warning"), std::string::npos) << out;
}

TEST(AuditClose, AnUnsignedTailOfARunningOrCrashedLogIsAWarningNotAFailure) {
  TempDir dir, crashed, crashedAfterReopen;
  ManualClock clock;
  writeSixAndCrash(dir.path(), crashed.path(), clock);
  int rc = -1;
  std::string out = verifyOutput(crashed.path(), rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("warning: unsigned tail: 2 events after the last checkpoint (size 4) are not yet signed"),
            std::string::npos)
      << out;

  // Reopened after a clean close, then crashed: the reopening checkpoint says the log was
  // written again, so the new tail is unsigned, not appended after close.
  {
    auto log = AuditLog::open(testing::logOptions(dir.path(), &clock));
    log->append(testing::loginEvent(6));
    copyAsCrashed(dir.path(), crashedAfterReopen.path());
  }
  out = verifyOutput(crashedAfterReopen.path(), rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("warning: unsigned tail: 1 events after the last checkpoint (size 6)"), std::string::npos) << out;
  // And the cleanly closed original has no tail at all.
  out = verifyOutput(dir.path(), rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out.find("warning"), std::string::npos) << out;
  EXPECT_NE(out.find(", closed"), std::string::npos) << out;
}

TEST(AuditClose, DefaultCheckpointsLocateARehashedEditToSixteenEvents) {
  TempDir dir;
  ManualClock clock;
  AuditLogOptions options;
  options.dataDir = dir.path();
  options.clock = &clock;
  {
    auto log = AuditLog::open(options);
    for (int i = 0; i < 40; ++i) {
      log->append(testing::loginEvent(i));
    }
  }
  // Event 20 edited, its leaf hash recomputed: only the signed roots can tell.
  std::vector<std::string> lines;
  std::string text = readFile(audit_files::events(dir.path()));
  for (auto l : splitLines(text).lines) {
    lines.emplace_back(l);
  }
  auto v = boost::json::parse(lines[20]);
  auto& event = v.as_object()["event"].as_object();
  event["outcome"] = 4;
  Hash leaf{};
  lines[20] = encodeEventLine(event, 20, leaf);
  std::string edited;
  for (const auto& l : lines) {
    edited += l + "\n";
  }
  writeFile(audit_files::events(dir.path()), edited);
  VerifyReport r = verifyAuditLog(dir.path());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.problems.front().kind, Tamper::RewrittenLog);
  EXPECT_NE(r.summary().find("indices [16, 32)"), std::string::npos) << r.summary();
}

TEST(AuditClose, DefaultTimeBasedCheckpointComesWithinTenSeconds) {
  TempDir dir;
  ManualClock clock;
  AuditLogOptions options;
  options.dataDir = dir.path();
  options.clock = &clock;
  auto log = AuditLog::open(options);
  log->append(testing::loginEvent(0));
  clock.advance(std::chrono::seconds(10));
  log->tick();  // serve calls it every 2 s
  EXPECT_EQ(log->lastCheckpointSize(), 1u);
}

TEST(AuditClose, ASecondWriterOnTheSameDirectoryIsRefused) {
  TempDir dir;
  ManualClock clock;
  auto log = AuditLog::open(testing::logOptions(dir.path(), &clock));
  log->append(testing::loginEvent(0));
  try {
    AuditLog::open(testing::logOptions(dir.path(), &clock));
    FAIL() << "a second writer would reuse index 1";
  } catch (const AuditLogError& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another process"), std::string::npos) << e.what();
  }
  log->append(testing::loginEvent(1));
  log->close();
  EXPECT_TRUE(verifyAuditLog(dir.path()).ok);
  EXPECT_NO_THROW(AuditLog::open(testing::logOptions(dir.path(), &clock)));  // free again
}

TEST(AuditClose, TheWitnessRevealsACutCheckpointsLogAndAnAppendAfterClose) {
  TempDir dir, witnessDir;
  ManualClock clock;
  auto witness = witnessDir.path() / "witness.log";
  {
    AuditLogOptions options = testing::logOptions(dir.path(), &clock);
    options.witnessFile = witness;
    auto log = AuditLog::open(options);
    for (int i = 0; i < 10; ++i) {
      log->append(testing::loginEvent(i));
    }
  }
  EXPECT_EQ(readFile(witness), readFile(audit_files::checkpoints(dir.path())));
  VerifyOptions withWitness;
  withWitness.witnessFile = witness;
  VerifyReport intact = verifyAuditLog(dir.path(), withWitness);
  EXPECT_TRUE(intact.ok) << intact.summary();
  EXPECT_EQ(intact.witnessCheckpointCount, 3u);

  // The attacker drops the closing checkpoint from checkpoints.log and appends an event.
  auto notes = splitNotes(readFile(audit_files::checkpoints(dir.path()))).notes;
  writeFile(audit_files::checkpoints(dir.path()), notes[0] + "\n" + notes[1] + "\n");
  appendForgedEvent(dir.path(), 10);
  VerifyReport alone = verifyAuditLog(dir.path());
  EXPECT_TRUE(alone.ok) << alone.summary();  // the files alone cannot tell (docs: weak points)
  VerifyReport r = verifyAuditLog(dir.path(), withWitness);
  ASSERT_FALSE(r.ok);
  std::string summary = r.summary();
  EXPECT_NE(summary.find("events after close, index 10"), std::string::npos) << summary;
  EXPECT_NE(summary.find("deleted checkpoint, index 10"), std::string::npos) << summary;
  int rc = 0;
  verifyOutput(dir.path(), rc, withWitness);
  EXPECT_EQ(rc, 1);
}

}  // namespace
}  // namespace medrtc::compliance
