#pragma once
// One empty, isolated database per test, on either backend, so the same store tests
// run against SQLite and PostgreSQL. SQLite: a file in a fresh temp dir. PostgreSQL: a
// fresh schema (search_path) in the database named by MEDRTC_TEST_POSTGRES_URL, so
// tests can run in parallel against one throw-away server (scripts/lib/postgres.sh).
#include <cstdint>
#include <memory>
#include <string>

#include "store/store.hpp"
#include "store/webhook_store.hpp"

namespace medrtc::store::testing {

inline constexpr const char* kPostgresUrlVariable = "MEDRTC_TEST_POSTGRES_URL";

class TestDatabase {
 public:
  virtual ~TestDatabase() = default;
  // A store on this database (migrated on open); call again to "restart the server".
  virtual std::unique_ptr<Store> open() = 0;
  // A webhook store with a connection of its own (open() first: it migrates).
  virtual std::unique_ptr<WebhookStore> openWebhooks() = 0;
  // Raw SQL outside the store, e.g. to fake an old or a too-new schema.
  virtual void exec(const std::string& sql) = 0;
  // The first column of the first row of `sql`, with `$1` bound to `param`.
  virtual int64_t queryInt(const std::string& sql, const std::string& param = "") = 0;
  // Cuts the stores' open connections as a server restart would; returns how many
  // (SQLite has none to cut: 0).
  virtual int64_t dropConnections() = 0;
};

// "sqlite" or "postgres". Returns nullptr for "postgres" when the URL variable is unset.
std::unique_ptr<TestDatabase> makeTestDatabase(const std::string& backend);

}  // namespace medrtc::store::testing
