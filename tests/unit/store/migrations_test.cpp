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

// Numbers reserved for work merged later may be missing (migrations.hpp); what must hold
// is that they start at one and ascend, so `version <= current` skips exactly the applied.
TEST(Migrations, NumbersStartAtOneAndAscend) {
  for (auto list : {sqlMigrations(), postgresMigrations()}) {
    ASSERT_FALSE(list.empty());
    EXPECT_EQ(list[0].version, 1);
    for (size_t i = 0; i < list.size(); ++i) {
      EXPECT_TRUE(i == 0 || list[i].version > list[i - 1].version) << "migration #" << i;
      EXPECT_FALSE(list[i].sql.empty());
    }
  }
  EXPECT_EQ(latestSchemaVersion(), sqlMigrations().back().version);
}

}  // namespace
}  // namespace medrtc::store
