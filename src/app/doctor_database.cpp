#include "app/doctor_database.hpp"

#include <sqlite3.h>

#include <memory>
#include <pqxx/pqxx>
#include <regex>

namespace medrtc::app {

namespace {

// postgres://user:secret@host:port/db → PostgreSQL at host:port/db (no user, no
// secret).
std::string describeUrl(const std::string &url) {
  static const std::regex kUrl(R"(^postgres(?:ql)?://(?:[^@/]*@)?([^/?]*)(/[^?]*)?)");
  std::smatch m;
  if (std::regex_search(url, m, kUrl)) {
    return "PostgreSQL at " + m[1].str() + m[2].str();
  }
  return "PostgreSQL";
}

// libpq's messages may quote the connection string; keep only the first line
// and drop anything after "password".
std::string firstLine(const std::string &text) {
  std::string line = text.substr(0, text.find('\n'));
  if (auto p = line.find("password"); p != std::string::npos) {
    line = line.substr(0, p) + "(password hidden)";
  }
  return line;
}

}  // namespace

DatabaseState readSqliteSchemaVersion(const std::filesystem::path &file) {
  DatabaseState s;
  s.where = file.string();
  if (!std::filesystem::exists(file)) {
    s.error = file.string() + " does not exist (medrtc serve creates it)";
    return s;
  }
  sqlite3 *db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> guard(db, sqlite3_close);
  if (rc != SQLITE_OK) {
    s.error = "cannot open " + file.string() + ": " + sqlite3_errstr(rc);
    return s;
  }
  sqlite3_stmt *stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT MAX(version) FROM schema_version", -1, &stmt, nullptr) != SQLITE_OK) {
    s.error = file.string() + " has no schema version: " + sqlite3_errmsg(db);
    return s;
  }
  s.version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  return s;
}

DatabaseState readPostgresSchemaVersion(const std::string &url) {
  DatabaseState s;
  s.where = describeUrl(url);
  try {
    // connect_timeout: an unreachable host answers in seconds, not after TCP's
    // minutes.
    pqxx::connection conn(url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=5");
    pqxx::read_transaction txn(conn);
    if (txn.exec1("SELECT to_regclass('schema_version') IS NULL")[0].as<bool>()) {
      s.version = 0;
      return s;
    }
    s.version = txn.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0].as<int>();
  } catch (const pqxx::broken_connection &e) {
    s.error = "cannot reach " + s.where + ": " + firstLine(e.what());
  } catch (const std::exception &e) {
    s.error = "cannot read the schema version from " + s.where + ": " + firstLine(e.what());
  }
  return s;
}

}  // namespace medrtc::app
