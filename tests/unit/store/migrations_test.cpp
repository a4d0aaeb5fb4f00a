// Both backends number their migrations identically, so a schema version means the
// same tables whichever database holds them.
#include <gtest/gtest.h>

#include "store/migrations.hpp"
#include "store/postgres/postgres_migrations.hpp"

namespace medrtc::store {
namespace {

TEST(Migrations, SqliteAndPostgresHaveTheSameNumbersAndNames) {
  auto sqlite = sqlMigrations();
  auto postgres = postgresMigrations();
  ASSERT_EQ(sqlite.size(), postgres.size());
  for (size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, postgres[i].version) << "migration #" << i;
    EXPECT_EQ(sqlite[i].name, postgres[i].name) << "migration #" << i;
  }
}

// A released database records the numbers it has: they run 1, 2, 3, … with no gap, so a
// version says exactly which migrations a schema holds.
TEST(Migrations, NumbersStartAtOneWithoutGaps) {
  for (auto list : {sqlMigrations(), postgresMigrations()}) {
    ASSERT_FALSE(list.empty());
    for (size_t i = 0; i < list.size(); ++i) {
      EXPECT_EQ(list[i].version, static_cast<int>(i + 1)) << "migration #" << i;
      EXPECT_FALSE(list[i].sql.empty());
    }
  }
  EXPECT_EQ(latestSchemaVersion(), sqlMigrations().back().version);
}

}  // namespace
}  // namespace medrtc::store
