// `medrtc serve --database`: which store a value selects.
#include <gtest/gtest.h>

#include <filesystem>

#include "app/serve_config.hpp"
#include "common/random.hpp"
#include "store/store.hpp"

namespace medrtc::app {
namespace {

TEST(ServeDatabase, PostgresSchemesAreRecognised) {
  EXPECT_TRUE(isPostgresUrl("postgres://medrtc@127.0.0.1:5432/medrtc"));
  EXPECT_TRUE(isPostgresUrl("postgresql://db.internal/medrtc?sslmode=require"));
  EXPECT_FALSE(isPostgresUrl(""));
  EXPECT_FALSE(isPostgresUrl("sqlite:///data/medrtc.db"));
  EXPECT_FALSE(isPostgresUrl("mysql://x"));
  EXPECT_FALSE(isPostgresUrl("Postgres"));
}

TEST(ServeDatabase, EmptySelectsSqliteInTheDataDir) {
  auto dir = std::filesystem::temp_directory_path() / ("medrtc-serve-db-" + randomHex(6));
  {
    auto store = openStore("", dir);
    ASSERT_TRUE(store);
    store->createRoom(store::NewRoom{}, 1);
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "medrtc.db"));
  std::filesystem::remove_all(dir);
}

TEST(ServeDatabase, OtherValuesAreRefusedWithoutEchoingThem) {
  try {
    openStore("mysql://root:hunter2@db/medrtc", "unused");
    FAIL() << "accepted a mysql URL";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
}

TEST(ServeDatabase, UnreachablePostgresIsAStoreFailure) {
  EXPECT_THROW(openStore("postgres://medrtc@127.0.0.1:1/medrtc?connect_timeout=2", "unused"), store::StoreFailure);
}

}  // namespace
}  // namespace medrtc::app
