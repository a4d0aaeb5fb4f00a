#include "test_database.hpp"

#include <pqxx/pqxx>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "common/random.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/postgres_webhook_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/sqlite_webhook_store.hpp"

namespace medrtc::store::testing {

namespace {

class SqliteTestDatabase final : public TestDatabase {
 public:
  SqliteTestDatabase() : dir_(std::filesystem::temp_directory_path() / ("medrtc-store-" + randomHex(6))) {
    std::filesystem::create_directories(dir_);
  }
  ~SqliteTestDatabase() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> open() override { return std::make_unique<SqliteStore>(file()); }
  std::unique_ptr<WebhookStore> openWebhooks() override { return std::make_unique<SqliteWebhookStore>(file()); }

  void exec(const std::string& sql) override {
    withDb([&](sqlite3* db) {
      char* err = nullptr;
      if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "?";
        sqlite3_free(err);
        throw std::runtime_error("sqlite: " + msg);
      }
      return 0;
    });
  }

  int64_t queryInt(const std::string& sql, const std::string& param) override {
    return withDb([&](sqlite3* db) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
      }
      if (sqlite3_bind_parameter_count(st) > 0) {
        sqlite3_bind_text(st, 1, param.data(), static_cast<int>(param.size()), SQLITE_TRANSIENT);
      }
      int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
      sqlite3_finalize(st);
      return v;
    });
  }

  int64_t dropConnections() override { return 0; }

 private:
  std::filesystem::path file() const { return dir_ / "medrtc.db"; }

  template <typename F>
  int64_t withDb(F&& f) {
    sqlite3* db = nullptr;
    if (sqlite3_open(file().c_str(), &db) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + file().string());
    }
    try {
      int64_t v = f(db);
      sqlite3_close(db);
      return v;
    } catch (...) {
      sqlite3_close(db);
      throw;
    }
  }

  std::filesystem::path dir_;
};

// Each test gets its own schema; the store finds it first on its search_path, and the
// connection's application_name lets dropConnections() find the store's sessions.
class PostgresTestDatabase final : public TestDatabase {
 public:
  explicit PostgresTestDatabase(std::string url) : url_(std::move(url)), schema_("medrtc_test_" + randomHex(6)) {
    admin_.emplace(url_);
    pqxx::nontransaction txn(*admin_);
    txn.exec("CREATE SCHEMA " + schema_);
  }
  ~PostgresTestDatabase() override {
    try {
      pqxx::nontransaction txn(*admin_);
      txn.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception&) {
      // A leftover schema in a throw-away server is harmless.
    }
  }

  std::unique_ptr<Store> open() override { return std::make_unique<PostgresStore>(schemaUrl()); }
  std::unique_ptr<WebhookStore> openWebhooks() override {
    return std::make_unique<PostgresWebhookStore>(schemaUrl());
  }

  void exec(const std::string& sql) override {
    pqxx::work txn(*admin_);
    txn.exec("SET LOCAL search_path TO " + schema_);
    txn.exec(sql);
    txn.commit();
  }

  int64_t queryInt(const std::string& sql, const std::string& param) override {
    pqxx::work txn(*admin_);
    txn.exec("SET LOCAL search_path TO " + schema_);
    pqxx::result r = sql.find("$1") == std::string::npos ? txn.exec(sql) : txn.exec_params(sql, param);
    txn.commit();
    return r.empty() ? -1 : r[0][0].as<int64_t>();
  }

  int64_t dropConnections() override {
    pqxx::nontransaction txn(*admin_);
    int64_t dropped =
        txn.exec_params("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
                        schema_)[0][0]
            .as<int64_t>();
    // pg_terminate_backend only signals: wait until the sessions are gone, as after a
    // real restart.
    for (int i = 0; i < 500; ++i) {
      if (txn.exec_params("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1", schema_)[0][0]
              .as<int64_t>() == 0) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return dropped;
  }

 private:
  std::string schemaUrl() const {
    return url_ + (url_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_ +
           "&application_name=" + schema_;
  }

  std::string url_;
  std::string schema_;  // "medrtc_test_" + hex: safe to splice into DDL
  std::optional<pqxx::connection> admin_;
};

}  // namespace

std::unique_ptr<TestDatabase> makeTestDatabase(const std::string& backend) {
  if (backend == "sqlite") {
    return std::make_unique<SqliteTestDatabase>();
  }
  const char* url = std::getenv(kPostgresUrlVariable);
  if (url == nullptr || *url == '\0') {
    return nullptr;
  }
  return std::make_unique<PostgresTestDatabase>(url);
}

}  // namespace medrtc::store::testing
