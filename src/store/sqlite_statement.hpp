#pragma once
// The SQLite stores' prepared statement (sqlite_store.cpp, sqlite_webhook_store.cpp): one
// class, so constraint failures map to StoreConflict and everything else to StoreFailure
// the same way everywhere.
#include <sqlite3.h>

#include <optional>
#include <string>

#include "store/store.hpp"
#include "store/store_metrics.hpp"

namespace medrtc::store::sqlite {

// A prepared statement that finalizes itself; binds and steps throw StoreFailure.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : Statement(db, sql.c_str()) {}
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreFailure(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  // Named apart from bind: an int argument would match both int64_t and double.
  Statement& bindReal(int i, double v) {
    check(sqlite3_bind_double(stmt_, i, v));
    return *this;
  }
  Statement& bind(int i, const std::optional<int64_t>& v) {
    check(v ? sqlite3_bind_int64(stmt_, i, *v) : sqlite3_bind_null(stmt_, i));
    return *this;
  }
  // Runs a statement that returns no rows.
  void run() {
    static metrics::Histogram& latency = storeWriteSeconds("sqlite");
    StoreWriteTimer timer(latency);
    while (step()) {
    }
  }
  // true while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
      throw StoreConflict(std::string("sqlite constraint: ") + sqlite3_errmsg(db_));
    }
    throw StoreFailure(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  std::string text(int col) {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t integer(int col) { return sqlite3_column_int64(stmt_, col); }
  double real(int col) { return sqlite3_column_double(stmt_, col); }
  std::optional<int64_t> optionalInteger(int col) {
    return isNull(col) ? std::nullopt : std::optional<int64_t>(integer(col));
  }
  bool isNull(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) {
      throw StoreFailure(std::string("sqlite bind: ") + sqlite3_errmsg(db_));
    }
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace medrtc::store::sqlite
