// The Store interface on every backend: migrations, rooms, API keys, reconnecting.
#include <gtest/gtest.h>

#include <thread>

#include "store/api_key.hpp"
#include "store/migrations.hpp"
#include "store_fixture.hpp"

namespace medrtc::store::testing {
namespace {

const int64_t kLatestVersion = latestSchemaVersion();

TEST_P(StoreTest, FreshDatabaseGetsEveryMigration) {
  EXPECT_EQ(store().countApiKeys(), 0);
  EXPECT_EQ(db().queryInt("SELECT MAX(version) FROM schema_version"), kLatestVersion);
}

TEST_P(StoreTest, ReopeningKeepsDataAndDoesNotReapplyMigrations) {
  std::string id = store().createRoom(NewRoom{.name = "ward 3"}, 100).id;
  reopen();
  auto room = store().findRoom(id);
  ASSERT_TRUE(room);
  EXPECT_EQ(room->name, "ward 3");
  EXPECT_EQ(db().queryInt("SELECT COUNT(*) FROM schema_version"), static_cast<int64_t>(sqlMigrations().size()));
}

TEST_P(StoreTest, ExistingDatabaseAtVersionZeroIsMigrated) {
  // A database made by hand before any migration: an unrelated table, no schema_version.
  db().exec("CREATE TABLE unrelated (x INTEGER)");
  EXPECT_FALSE(store().findRoom("r_nothing"));
  EXPECT_EQ(db().queryInt("SELECT MAX(version) FROM schema_version"), kLatestVersion);
}

TEST_P(StoreTest, RefusesSchemaNewerThanBinary) {
  store();
  db().exec("INSERT INTO schema_version VALUES (999, 0)");
  EXPECT_THROW(reopen(), StoreFailure);
}

TEST_P(StoreTest, TwoNodesStartingAtOnceMigrateOnce) {
  std::unique_ptr<Store> a;
  std::unique_ptr<Store> b;
  std::thread other([&] { a = db().open(); });
  b = db().open();
  other.join();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(db().queryInt("SELECT COUNT(*) FROM schema_version"), static_cast<int64_t>(sqlMigrations().size()));
  std::string id = a->createRoom(NewRoom{}, 1).id;
  EXPECT_TRUE(b->findRoom(id));
}

TEST_P(StoreTest, RoomLifecycle) {
  RoomRecord r = store().createRoom(NewRoom{}, 1000);
  EXPECT_EQ(r.id.size(), 18u);
  EXPECT_EQ(r.id.substr(0, 2), "r_");
  EXPECT_FALSE(r.ended());
  EXPECT_TRUE(store().endRoom(r.id, 2000));
  EXPECT_TRUE(store().endRoom(r.id, 3000));
  auto again = store().findRoom(r.id);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->ended());
  EXPECT_EQ(*again->endedAt, 2000);  // the first end time stays
  EXPECT_EQ(again->createdAt, 1000);
  EXPECT_FALSE(store().endRoom("r_unknown", 1));
  EXPECT_FALSE(store().findRoom("r_unknown"));
}

// The undo of an end whose audit event could not be written: only that very end is undone.
TEST_P(StoreTest, ReopenRoomUndoesOnlyTheEndItNames) {
  RoomRecord r = store().createRoom(NewRoom{}, 1000);
  EXPECT_FALSE(store().reopenRoom(r.id, 2000));  // never ended
  ASSERT_TRUE(store().endRoom(r.id, 2000));
  EXPECT_FALSE(store().reopenRoom(r.id, 1999));  // an end at another time stays
  EXPECT_TRUE(store().findRoom(r.id)->ended());
  EXPECT_TRUE(store().reopenRoom(r.id, 2000));
  EXPECT_FALSE(store().findRoom(r.id)->ended());
  EXPECT_FALSE(store().reopenRoom("r_unknown", 2000));
}

TEST_P(StoreTest, RoomKeepsNameWaitingRoomFlagAndTenant) {
  RoomRecord r = store().createRoom(NewRoom{"Dr. Weber's room", true, "t_1"}, 1);
  auto again = store().findRoom(r.id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->name, "Dr. Weber's room");
  EXPECT_TRUE(again->waitingRoom);
  EXPECT_EQ(again->tenantId, "t_1");
  EXPECT_FALSE(again->ended());
  auto plain = store().findRoom(store().createRoom(NewRoom{}, 1).id);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->waitingRoom);
  EXPECT_EQ(plain->tenantId, "");
}

TEST_P(StoreTest, ValuesAreBoundNotSplicedIntoSql) {
  std::string hostile = "x'); DROP TABLE rooms; --";
  RoomRecord r = store().createRoom(NewRoom{.name = hostile}, 1);
  EXPECT_EQ(store().findRoom(r.id)->name, hostile);
  EXPECT_FALSE(store().findRoom("' OR '1'='1"));
  EXPECT_FALSE(store().findApiKeyByHash("' OR '1'='1"));
}

TEST_P(StoreTest, ApiKeyOnlyTheHashIsStoredAndItAuthenticates) {
  std::string key = generateApiKey();
  EXPECT_EQ(key.substr(0, 3), "mk_");
  EXPECT_EQ(key.size(), 3u + 43u);  // 32 bytes in unpadded base64url
  ApiKeyRecord rec = registerApiKey(store(), key, "ehr", 5);
  EXPECT_EQ(rec.prefix, key.substr(0, 7));
  EXPECT_EQ(store().countApiKeys(), 1);

  auto found = authenticateApiKey(store(), key);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, rec.id);
  EXPECT_EQ(found->name, "ehr");
  EXPECT_EQ(found->createdAt, 5);
  EXPECT_FALSE(authenticateApiKey(store(), key + "x"));
  EXPECT_FALSE(authenticateApiKey(store(), ""));

  // The key itself appears nowhere in the database.
  EXPECT_EQ(db().queryInt("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1 OR name = $1 OR prefix = $1", key), 0);
}

// Issue 10 item 1: a key belongs to a tenant; rows of older releases (migration 4 adds
// the column with default '') are node-operator keys.
TEST_P(StoreTest, ApiKeysKeepTheirTenantAndOlderKeysHaveNone) {
  std::string key = generateApiKey();
  ApiKeyRecord rec = registerApiKey(store(), key, "ehr", 5, "t_0123456789abcdef");
  EXPECT_EQ(rec.tenantId, "t_0123456789abcdef");
  auto found = authenticateApiKey(store(), key);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->tenantId, "t_0123456789abcdef");
  EXPECT_EQ(authenticateApiKey(store(), generateApiKey()), std::nullopt);
  db().exec("INSERT INTO api_keys (id, key_hash, prefix, name, created_at) VALUES "
            "('ak_old', 'hash-of-an-old-key', 'mk_old', 'old', 1)");
  auto old = store().findApiKeyByHash("hash-of-an-old-key");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->tenantId, "");
}

TEST_P(StoreTest, ReconnectsAfterTheServerDroppedTheConnection) {
  std::string id = store().createRoom(NewRoom{}, 1).id;
  int64_t dropped = db().dropConnections();
  if (GetParam() == "postgres") {
    EXPECT_EQ(dropped, 1);
  }
  auto room = store().findRoom(id);  // the first call after the drop reconnects
  ASSERT_TRUE(room);
  EXPECT_TRUE(store().endRoom(id, 2));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace medrtc::store::testing
