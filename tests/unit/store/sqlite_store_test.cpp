#include "store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/random.hpp"
#include "store/api_key.hpp"
#include "store/migrations.hpp"
#include "store/secret_file.hpp"

namespace medrtc::store {
namespace {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("medrtc-store-" + randomHex(6))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(SqliteStore, FreshDatabaseGetsEveryMigration) {
  TempDir dir;
  SqliteStore store(dir.path() / "medrtc.db");
  EXPECT_EQ(store.schemaVersion(), static_cast<int>(sqlMigrations().size()));
  EXPECT_EQ(store.countApiKeys(), 0);
}

TEST(SqliteStore, ReopeningKeepsDataAndDoesNotReapplyMigrations) {
  TempDir dir;
  std::string id;
  {
    SqliteStore store(dir.path() / "medrtc.db");
    id = store.createRoom("ward 3", 100).id;
  }
  SqliteStore again(dir.path() / "medrtc.db");
  EXPECT_EQ(again.schemaVersion(), static_cast<int>(sqlMigrations().size()));
  auto room = again.findRoom(id);
  ASSERT_TRUE(room);
  EXPECT_EQ(room->name, "ward 3");
}

TEST(SqliteStore, ExistingDatabaseAtVersionZeroIsMigrated) {
  TempDir dir;
  auto file = dir.path() / "medrtc.db";
  {
    // A database made by hand before any migration: an unrelated table, no schema_version.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE unrelated (x INTEGER)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  SqliteStore store(file);
  EXPECT_EQ(store.schemaVersion(), 1);
  EXPECT_FALSE(store.findRoom("r_nothing"));
}

TEST(SqliteStore, RefusesSchemaNewerThanBinary) {
  TempDir dir;
  auto file = dir.path() / "medrtc.db";
  { SqliteStore store(file); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version VALUES (999, 0)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THROW(SqliteStore{file}, StoreFailure);
}

TEST(SqliteStore, UsesWalJournal) {
  TempDir dir;
  SqliteStore store(dir.path() / "medrtc.db");
  store.createRoom("", 1);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "medrtc.db-wal"));
}

TEST(SqliteStore, RoomLifecycle) {
  TempDir dir;
  SqliteStore store(dir.path() / "medrtc.db");
  RoomRecord r = store.createRoom("", 1000);
  EXPECT_EQ(r.id.size(), 18u);
  EXPECT_EQ(r.id.substr(0, 2), "r_");
  EXPECT_FALSE(r.ended());
  EXPECT_TRUE(store.endRoom(r.id, 2000));
  EXPECT_TRUE(store.endRoom(r.id, 3000));
  auto again = store.findRoom(r.id);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->ended());
  EXPECT_EQ(*again->endedAt, 2000);  // the first end time stays
  EXPECT_FALSE(store.endRoom("r_unknown", 1));
}

TEST(ApiKey, OnlyTheHashIsStoredAndItAuthenticates) {
  TempDir dir;
  SqliteStore store(dir.path() / "medrtc.db");
  std::string key = generateApiKey();
  EXPECT_EQ(key.substr(0, 3), "mk_");
  EXPECT_EQ(key.size(), 3u + 43u);  // 32 bytes in unpadded base64url
  ApiKeyRecord rec = registerApiKey(store, key, "ehr", 5);
  EXPECT_EQ(rec.prefix, key.substr(0, 7));
  EXPECT_EQ(store.countApiKeys(), 1);

  auto found = authenticateApiKey(store, key);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, rec.id);
  EXPECT_FALSE(authenticateApiKey(store, key + "x"));
  EXPECT_FALSE(authenticateApiKey(store, ""));

  // The key itself appears nowhere in the database file.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "medrtc.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM api_keys WHERE key_hash = ?1 OR name = ?1 OR prefix = ?1",
                               -1, &st, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(st, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(SecretFile, CreatedOnceWithMode0600) {
  TempDir dir;
  auto file = dir.path() / "token.key";
  auto first = loadOrCreateSecret(file, 32);
  auto second = loadOrCreateSecret(file, 32);
  EXPECT_EQ(first, second);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SecretFile, WrongSizeIsRefused) {
  TempDir dir;
  auto file = dir.path() / "token.key";
  loadOrCreateSecret(file, 16);
  EXPECT_THROW(loadOrCreateSecret(file, 32), std::runtime_error);
}

}  // namespace
}  // namespace medrtc::store
