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

// Numbers are reserved per piece of work, so a branch may hold 7 without 5 and 6 until
// they are merged; the order must still be strictly increasing from 1.
TEST(Migrations, NumbersStartAtOneAndIncrease) {
  for (auto list : {sqlMigrations(), postgresMigrations()}) {
    ASSERT_FALSE(list.empty());
    EXPECT_EQ(list[0].version, 1);
    for (size_t i = 0; i < list.size(); ++i) {
      if (i > 0) {
        EXPECT_GT(list[i].version, list[i - 1].version);
      }
      EXPECT_FALSE(list[i].sql.empty());
    }
  }
}

}  // namespace
}  // namespace medrtc::store
