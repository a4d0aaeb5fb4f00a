#include "store/sqlite_store.hpp"

#include <sqlite3.h>

#include <string>

#include "common/random.hpp"
#include "store/migrations.hpp"

namespace medrtc::store {

namespace {

// A prepared statement that finalizes itself; binds and steps throw StoreFailure.
class Statement {
 public:
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
  // true while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    throw StoreFailure(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  std::string text(int col) {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t integer(int col) { return sqlite3_column_int64(stmt_, col); }
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

RoomRecord readRoom(Statement& s) {
  RoomRecord r;
  r.id = s.text(0);
  r.name = s.text(1);
  r.createdAt = s.integer(2);
  if (!s.isNull(3)) {
    r.endedAt = s.integer(3);
  }
  return r;
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& dbFile) {
  int rc = sqlite3_open_v2(dbFile.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreFailure("cannot open " + dbFile.string() + ": " + msg);
  }
  // Another process (the CLI) may hold the write lock for a moment.
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    migrate();
  } catch (...) {
    // The destructor does not run for a constructor that throws.
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

void SqliteStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreFailure("sqlite: " + msg);
  }
}

int SqliteStore::schemaVersion() {
  Statement s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  s.step();
  return static_cast<int>(s.integer(0));
}

void SqliteStore::migrate() {
  // BEGIN IMMEDIATE takes the write lock first, so two processes starting at once
  // cannot both apply the same migration.
  exec("BEGIN IMMEDIATE");
  try {
    exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    int current = schemaVersion();
    auto migrations = sqlMigrations();
    if (current > static_cast<int>(migrations.size())) {
      throw StoreFailure("database schema version " + std::to_string(current) + " is newer than this medrtc (" +
                         std::to_string(migrations.size()) + ")");
    }
    for (const Migration& m : migrations) {
      if (m.version <= current) {
        continue;
      }
      exec(std::string(m.sql).c_str());
      Statement s(db_, "INSERT INTO schema_version (version, applied_at) VALUES (?, strftime('%s','now'))");
      s.bind(1, int64_t{m.version}).step();
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

RoomRecord SqliteStore::createRoom(const std::string& name, UnixSeconds now) {
  RoomRecord r{"r_" + randomHex(8), name, now, std::nullopt};
  Statement s(db_, "INSERT INTO rooms (id, name, created_at) VALUES (?, ?, ?)");
  s.bind(1, r.id).bind(2, r.name).bind(3, now).step();
  return r;
}

std::optional<RoomRecord> SqliteStore::findRoom(const std::string& id) {
  Statement s(db_, "SELECT id, name, created_at, ended_at FROM rooms WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) {
    return std::nullopt;
  }
  return readRoom(s);
}

bool SqliteStore::endRoom(const std::string& id, UnixSeconds now) {
  Statement s(db_, "UPDATE rooms SET ended_at = COALESCE(ended_at, ?) WHERE id = ?");
  s.bind(1, now).bind(2, id).step();
  return sqlite3_changes(db_) > 0;
}

ApiKeyRecord SqliteStore::addApiKey(const std::string& keyHash, const std::string& prefix, const std::string& name,
                                    UnixSeconds now) {
  ApiKeyRecord r{"ak_" + randomHex(8), prefix, name, now};
  Statement s(db_, "INSERT INTO api_keys (id, key_hash, prefix, name, created_at) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, keyHash).bind(3, prefix).bind(4, name).bind(5, now).step();
  return r;
}

std::optional<ApiKeyRecord> SqliteStore::findApiKeyByHash(const std::string& keyHash) {
  Statement s(db_, "SELECT id, prefix, name, created_at FROM api_keys WHERE key_hash = ?");
  s.bind(1, keyHash);
  if (!s.step()) {
    return std::nullopt;
  }
  return ApiKeyRecord{s.text(0), s.text(1), s.text(2), s.integer(3)};
}

int64_t SqliteStore::countApiKeys() {
  Statement s(db_, "SELECT COUNT(*) FROM api_keys");
  s.step();
  return s.integer(0);
}

}  // namespace medrtc::store
