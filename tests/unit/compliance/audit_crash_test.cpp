// kill -9 during audit writes: every event whose append() returned is still there, and
// the log verifies (at most a torn, uncommitted final line).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit_fixtures.hpp"
#include "compliance/audit_verify.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

// The child reports each committed index through the pipe; it never exits on its own.
[[noreturn]] void appendForever(const std::filesystem::path& dir, int fd) {
  try {
    auto log = AuditLog::open(testing::logOptions(dir, nullptr, 7));
    for (int i = 0;; ++i) {
      uint64_t index = log->append(testing::loginEvent(i));
      if (::write(fd, &index, sizeof(index)) != sizeof(index)) {
        _exit(3);
      }
    }
  } catch (...) {
    _exit(2);
  }
}

TEST(AuditCrash, KillDuringAppendsLosesNoCommittedEvent) {
  testing::TempDir dir;
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      appendForever(dir.path(), fds[1]);
    }
    ::close(fds[1]);
    // Let it commit a batch (with checkpoints among them), then kill it mid-stream.
    uint64_t lastCommitted = 0;
    int seen = 0;
    while (seen < 40) {
      uint64_t index = 0;
      ASSERT_EQ(::read(fds[0], &index, sizeof(index)), static_cast<ssize_t>(sizeof(index)));
      lastCommitted = index;
      ++seen;
    }
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    // Drain what the child reported before it died: those are committed too.
    uint64_t index = 0;
    while (::read(fds[0], &index, sizeof(index)) == static_cast<ssize_t>(sizeof(index))) {
      lastCommitted = index;
    }
    ::close(fds[0]);

    VerifyReport r = verifyAuditLog(dir.path());
    EXPECT_TRUE(r.ok) << "round " << round << ": " << r.summary();
    EXPECT_GE(r.eventCount, lastCommitted + 1) << "a committed event was lost";
    EXPECT_GT(r.checkpointCount, 0u);
    // The next start repairs a torn tail, if any, and carries on.
  }
  auto log = AuditLog::open(testing::logOptions(dir.path(), nullptr));
  log->close();
  VerifyReport r = verifyAuditLog(dir.path());
  EXPECT_TRUE(r.ok) << r.summary();
  EXPECT_FALSE(r.tornTailIndex);
}

}  // namespace
}  // namespace medrtc::compliance
