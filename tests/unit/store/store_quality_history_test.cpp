// The call-quality history (migration 7) on every backend: samples come back in time
// order with every figure, each room is bounded, a repeated sample is not stored twice,
// the dashboard's list is per tenant and newest first, and the retention rule for
// metadata deletes a room's samples with the room.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "common/random.hpp"
#include "store_fixture.hpp"

namespace medrtc::store::testing {
namespace {

QualitySampleRecord sample(const std::string& roomId, const std::string& participantId, UnixSeconds at,
                           const std::string& tenantId = "t_1") {
  QualitySampleRecord q;
  q.roomId = roomId;
  q.tenantId = tenantId;
  q.participantId = participantId;
  q.at = at;
  q.lossPercent = 2.5;
  q.rttMs = 41.25;
  q.jitterMs = 7.5;
  q.bitrateInBps = 1'200'000;
  q.bitrateOutBps = 900'000;
  q.layer = 2;
  q.freezeCount = 3;
  q.score = 77.5;
  q.mos = 3.875;
  return q;
}

TEST_P(StoreTest, QualitySamplesComeBackInTimeOrderWithEveryFigure) {
  EXPECT_EQ(store().addQualitySamples({sample("r_1", "p_b", 20), sample("r_1", "p_a", 20), sample("r_1", "p_a", 10),
                                       sample("r_2", "p_c", 15)},
                                      100),
            4);
  auto samples = store().listQualitySamples("r_1", 0, 100);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0].at, 10);
  EXPECT_EQ(samples[1].participantId, "p_a");
  EXPECT_EQ(samples[2].participantId, "p_b");
  const QualitySampleRecord& q = samples[2];
  EXPECT_EQ(q.roomId, "r_1");
  EXPECT_EQ(q.tenantId, "t_1");
  EXPECT_EQ(q.at, 20);
  EXPECT_DOUBLE_EQ(q.lossPercent, 2.5);
  EXPECT_DOUBLE_EQ(q.rttMs, 41.25);
  EXPECT_DOUBLE_EQ(q.jitterMs, 7.5);
  EXPECT_EQ(q.bitrateInBps, 1'200'000);
  EXPECT_EQ(q.bitrateOutBps, 900'000);
  EXPECT_EQ(q.layer, 2);
  EXPECT_EQ(q.freezeCount, 3);
  EXPECT_DOUBLE_EQ(q.score, 77.5);
  EXPECT_DOUBLE_EQ(q.mos, 3.875);
  EXPECT_EQ(store().listQualitySamples("r_1", 15, 100).size(), 2u) << "since";
  EXPECT_EQ(store().listQualitySamples("r_1", 0, 1).size(), 1u) << "limit";
  EXPECT_TRUE(store().listQualitySamples("r_unknown", 0, 100).empty());
  EXPECT_EQ(store().addQualitySamples({}, 100), 0);
}

TEST_P(StoreTest, QualitySamplesAreBoundedPerRoomAndNotStoredTwice) {
  std::vector<QualitySampleRecord> batch;
  for (UnixSeconds at = 10; at <= 40; at += 10) {
    batch.push_back(sample("r_1", "p_a", at));
  }
  batch.push_back(sample("r_2", "p_a", 10));
  EXPECT_EQ(store().addQualitySamples(batch, 3), 4) << "three of r_1, one of r_2";
  // A batch that repeats a stored sample (room, participant, time) keeps the first.
  QualitySampleRecord again = sample("r_2", "p_a", 10);
  again.lossPercent = 99;
  EXPECT_EQ(store().addQualitySamples({again, sample("r_1", "p_a", 50), sample("r_2", "p_a", 20)}, 3), 1);
  reopen();
  auto r1 = store().listQualitySamples("r_1", 0, 100);
  ASSERT_EQ(r1.size(), 3u);
  EXPECT_EQ(r1.back().at, 30) << "the first part of a consultation is kept";
  auto r2 = store().listQualitySamples("r_2", 0, 100);
  ASSERT_EQ(r2.size(), 2u);
  EXPECT_DOUBLE_EQ(r2[0].lossPercent, 2.5);
}

TEST_P(StoreTest, QualityRoomsAreListedPerTenantNewestFirst) {
  store().addQualitySamples({sample("r_old", "p_a", 100), sample("r_old", "p_b", 110), sample("r_new", "p_a", 500),
                             sample("r_other", "p_x", 900, "t_2")},
                            100);
  auto rooms = store().listQualityRooms("t_1", 0, 10);
  ASSERT_EQ(rooms.size(), 2u);
  EXPECT_EQ(rooms[0].roomId, "r_new");
  EXPECT_EQ(rooms[1].roomId, "r_old");
  EXPECT_EQ(rooms[1].firstAt, 100);
  EXPECT_EQ(rooms[1].lastAt, 110);
  EXPECT_EQ(rooms[1].samples, 2);
  EXPECT_EQ(rooms[1].participants, 2);
  EXPECT_EQ(store().listQualityRooms("t_1", 200, 10).size(), 1u) << "since";
  EXPECT_EQ(store().listQualityRooms("t_1", 0, 1).size(), 1u) << "limit";
  EXPECT_EQ(store().listQualityRooms("t_2", 0, 10).size(), 1u);
  EXPECT_TRUE(store().listQualityRooms("t_3", 0, 10).empty());
}

TEST_P(StoreTest, RetentionDeletesAConsultationsQualitySamplesWithItsRoom) {
  TenantRecord tenant;
  tenant.name = "Praxis";
  tenant.createdAt = 1;
  std::string t = store().createTenant(tenant).id;
  RoomRecord ended = store().createRoom(NewRoom{"", true, t}, 1000);
  ASSERT_TRUE(store().endRoom(ended.id, 2000));
  RoomRecord later = store().createRoom(NewRoom{"", true, t}, 3500);
  ASSERT_TRUE(store().endRoom(later.id, 4000));
  store().addQualitySamples({sample(ended.id, "p_a", 1990, t), sample(ended.id, "p_b", 2000, t),
                             sample(later.id, "p_a", 3990, t),
                             // A sample older than the rule whose room row is gone already.
                             sample("r_gone", "p_a", 500, t),
                             // Another tenant's old sample: its own rule decides.
                             sample("r_else", "p_a", 500, "t_else")},
                            100);
  MetadataPurge p = store().purgeMetadata(t, 3000);
  EXPECT_EQ(p.rooms, 1);
  EXPECT_EQ(p.qualitySamples, 3);
  EXPECT_TRUE(store().listQualitySamples(ended.id, 0, 100).empty());
  EXPECT_TRUE(store().listQualitySamples("r_gone", 0, 100).empty());
  EXPECT_EQ(store().listQualitySamples(later.id, 0, 100).size(), 1u);
  EXPECT_EQ(store().listQualitySamples("r_else", 0, 100).size(), 1u);
  EXPECT_EQ(store().purgeMetadata(t, 3000).qualitySamples, 0);
}

// Two PostgreSQL writers with batches of the same two rooms in opposite order: each
// room's lock is taken in room-id order, so neither holds one while waiting for the
// other. Before: [A, B] held A and waited for B while [B, A] held B and waited for A,
// and PostgreSQL broke the deadlock by failing one batch. Room A's lock is held from
// outside until both writers wait on it, which makes that interleaving certain.
TEST_P(StoreTest, QualityBatchesOfTheSameRoomsInOppositeOrderDoNotDeadlock) {
  if (GetParam() != "postgres") {
    GTEST_SKIP() << "SQLite has one writer: nothing to lock per room";
  }
  // Advisory locks are per database, not per schema: room ids no other test uses.
  std::string a = "r_lock_a_" + randomHex(6);
  std::string b = "r_lock_b_" + randomHex(6);
  ASSERT_LT(a, b);
  std::unique_ptr<Store> first = db().open();
  std::unique_ptr<Store> second = db().open();
  db().exec("SELECT pg_advisory_lock(hashtext('quality_samples:" + a + "'))");
  auto write = [](Store& s, std::vector<QualitySampleRecord> batch) {
    return std::async(std::launch::async, [&s, batch = std::move(batch)] {
      try {
        return s.addQualitySamples(batch, 100);
      } catch (const StoreFailure& e) {
        ADD_FAILURE() << e.what();
        return int64_t{-1};
      }
    });
  };
  auto ab = write(*first, {sample(a, "p_1", 10), sample(b, "p_1", 10)});
  auto ba = write(*second, {sample(b, "p_2", 10), sample(a, "p_2", 10)});
  const std::string waiting =
      "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND NOT l.granted AND s.application_name = current_schema()";
  int64_t waiters = 0;
  for (int i = 0; i < 1000 && waiters < 2; ++i) {
    waiters = db().queryInt(waiting);
    if (waiters < 2) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  EXPECT_EQ(waiters, 2) << "both writers wait for room A's lock";
  db().exec("SELECT pg_advisory_unlock(hashtext('quality_samples:" + a + "'))");
  EXPECT_EQ(ab.get(), 2);
  EXPECT_EQ(ba.get(), 2);
  EXPECT_EQ(store().listQualitySamples(a, 0, 100).size(), 2u);
  EXPECT_EQ(store().listQualitySamples(b, 0, 100).size(), 2u);
}

}  // namespace
}  // namespace medrtc::store::testing
