// The audit writer thread (group commit): events handed over while a sync runs share the
// next one, a failed sync fails every event of its batch and leaves the chain intact,
// stop() writes what is queued, and the log verifies exactly as before.
#include "compliance/audit_writer.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <thread>
#include <vector>

#include "audit_fixtures.hpp"
#include "compliance/audit_verify.hpp"
#include "sync_gate.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

using testing::PostedTasks;
using testing::SyncGate;
using testing::TempDir;

constexpr int kEvents = 20;

class AuditWriterTest : public ::testing::Test {
 protected:
  AuditWriterTest() {
    auto options = testing::logOptions(dir_.path(), &clock_, /*every=*/1000);
    options.syncEvents = gate_.hook();
    log_ = AuditLog::open(options);
    writer_.emplace(*log_, control_.poster());
  }
  ~AuditWriterTest() override {
    gate_.release();
    writer_.reset();
  }

  // Hands `count` events over as the control thread would; each outcome lands in
  // `outcomes` (0 pending, 1 durable, -1 failed) when its completion runs.
  void handOver(int first, int count, std::vector<int>& outcomes) {
    for (int i = first; i < first + count; ++i) {
      writer_->recordLater(testing::loginEvent(i, false), [&outcomes, i](std::exception_ptr failure) {
        outcomes[static_cast<size_t>(i)] = failure ? -1 : 1;
      });
    }
  }
  bool allDecided(const std::vector<int>& outcomes) {
    return control_.runUntil([&] {
      for (int o : outcomes) {
        if (o == 0) {
          return false;
        }
      }
      return true;
    });
  }

  TempDir dir_;
  ManualClock clock_;
  SyncGate gate_;
  PostedTasks control_;
  std::unique_ptr<AuditLog> log_;
  std::optional<AuditWriter> writer_;
};

TEST_F(AuditWriterTest, EventsHandedOverDuringASyncShareTheNextSync) {
  std::vector<int> outcomes(kEvents, 0);
  gate_.hold();
  handOver(0, 1, outcomes);
  ASSERT_TRUE(gate_.waitUntilHeld());
  // While the first event's sync is slow, the control thread goes on handing events over.
  handOver(1, kEvents - 1, outcomes);
  EXPECT_EQ(outcomes, std::vector<int>(kEvents, 0)) << "no completion before its sync";
  gate_.release();
  ASSERT_TRUE(allDecided(outcomes));

  EXPECT_EQ(outcomes, std::vector<int>(kEvents, 1));
  EXPECT_EQ(gate_.syncs(), 2) << kEvents << " events, one sync for the first and one for the rest";
  EXPECT_EQ(log_->size(), static_cast<uint64_t>(kEvents));
  writer_->stop();
  log_->close();
  VerifyReport report = verifyAuditLog(dir_.path());
  EXPECT_TRUE(report.ok) << report.summary();
  EXPECT_EQ(report.eventCount, static_cast<uint64_t>(kEvents));
  EXPECT_TRUE(report.lastCheckpointClosed);
}

TEST_F(AuditWriterTest, AFailedSyncFailsEveryEventOfItsBatchAndTheChainStaysIntact) {
  std::vector<int> outcomes(kEvents + 1, 0);
  gate_.failSync(2);  // the batch behind the first event meets a dying disk
  gate_.hold();
  handOver(0, 1, outcomes);
  ASSERT_TRUE(gate_.waitUntilHeld());
  handOver(1, kEvents - 1, outcomes);
  gate_.release();
  ASSERT_TRUE(control_.runUntil([&] { return outcomes[kEvents - 1] != 0; }));
  ASSERT_TRUE(allDecided(std::vector<int>(outcomes.begin(), outcomes.begin() + kEvents)));
  EXPECT_EQ(outcomes[0], 1);
  for (int i = 1; i < kEvents; ++i) {
    EXPECT_EQ(outcomes[static_cast<size_t>(i)], -1) << "event " << i << " shared the failed sync";
  }
  EXPECT_EQ(log_->size(), 1u);

  // The disk is back: the next event takes the next index, and nothing of the failed
  // batch is left in the file to break the chain.
  handOver(kEvents, 1, outcomes);
  ASSERT_TRUE(allDecided(outcomes));
  EXPECT_EQ(outcomes[kEvents], 1);
  EXPECT_EQ(log_->size(), 2u);
  writer_->stop();
  log_->close();
  VerifyReport report = verifyAuditLog(dir_.path());
  EXPECT_TRUE(report.ok) << report.summary();
  EXPECT_EQ(report.eventCount, 2u);
}

TEST_F(AuditWriterTest, StopWritesWhatIsQueuedAndLaterEventsOnTheCallersThread) {
  std::vector<int> outcomes(kEvents + 1, 0);
  gate_.hold();
  handOver(0, 1, outcomes);
  ASSERT_TRUE(gate_.waitUntilHeld());
  handOver(1, kEvents - 1, outcomes);
  std::thread stopping([&] { writer_->stop(); });
  gate_.release();
  stopping.join();
  EXPECT_EQ(log_->size(), static_cast<uint64_t>(kEvents)) << "shutdown flushes the queue";
  // The hub's last refusal summaries come after the loop stopped: still written.
  handOver(kEvents, 1, outcomes);
  EXPECT_EQ(log_->size(), static_cast<uint64_t>(kEvents + 1));
  writer_->record(testing::loginEvent(kEvents + 1, false));
  EXPECT_EQ(log_->size(), static_cast<uint64_t>(kEvents + 2));
  ASSERT_TRUE(allDecided(outcomes));
  EXPECT_EQ(outcomes, std::vector<int>(kEvents + 1, 1));
}

TEST_F(AuditWriterTest, RecordWaitsUntilTheEventIsDurable) {
  writer_->record(testing::loginEvent(1, false));
  EXPECT_EQ(log_->size(), 1u);
  EXPECT_EQ(gate_.syncs(), 1);
  gate_.failSync(2);
  EXPECT_THROW(writer_->record(testing::loginEvent(2, false)), AuditLogError);
  EXPECT_EQ(log_->size(), 1u);
}

}  // namespace
}  // namespace medrtc::compliance
