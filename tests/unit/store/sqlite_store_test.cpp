// What only the SQLite backend promises (the shared suite is store_test.cpp), and the
// data-dir secret files.
#include "store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/random.hpp"
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

TEST(SqliteStore, UsesWalJournal) {
  TempDir dir;
  SqliteStore store(dir.path() / "medrtc.db");
  EXPECT_EQ(store.schemaVersion(), latestSchemaVersion());
  store.createRoom(NewRoom{}, 1);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "medrtc.db-wal"));
}

TEST(SqliteStore, UnopenableFileIsAStoreFailure) {
  TempDir dir;
  EXPECT_THROW(SqliteStore{dir.path() / "missing-dir" / "medrtc.db"}, StoreFailure);
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
