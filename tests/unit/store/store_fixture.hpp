#pragma once
// The fixture of the shared store suite: every TEST_P(StoreTest, …) runs once per
// backend ("sqlite", "postgres"). The PostgreSQL run is skipped, with a message saying
// why, only when MEDRTC_TEST_POSTGRES_URL is unset; scripts/test always sets it.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_database.hpp"

namespace medrtc::store::testing {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = makeTestDatabase(GetParam());
    if (!db_) {
      GTEST_SKIP() << kPostgresUrlVariable
                   << " is unset, so the PostgreSQL store tests do not run. scripts/test sets it; by hand: "
                      "export "
                   << kPostgresUrlVariable << "=$(scripts/lib/postgres.sh start /tmp/medrtc-pg)";
    }
  }

  // The store, opened (and migrated) on first use.
  Store& store() {
    if (!store_) {
      store_ = db_->open();
    }
    return *store_;
  }
  // Closes and opens the store again, as a server restart does.
  void reopen() {
    store_.reset();
    store_ = db_->open();
  }
  TestDatabase& db() { return *db_; }

 private:
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

}  // namespace medrtc::store::testing
