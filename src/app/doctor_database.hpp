#pragma once
// `medrtc doctor`'s view of the store: reachable, and at which schema version.
// Read-only: it opens SQLite read-only and runs only SELECTs on PostgreSQL, so
// it never migrates.
#include <filesystem>
#include <string>

namespace medrtc::app {

struct DatabaseState {
  std::string where;  // "/var/lib/medrtc/medrtc.db" or "PostgreSQL at
                      // 127.0.0.1:5432/medrtc"
  int version = 0;    // 0: no migration applied
  std::string error;  // one plain sentence when it cannot be read
};

DatabaseState readSqliteSchemaVersion(const std::filesystem::path &file);
// `url`: postgres://USER@HOST:PORT/DB, as --database takes it. The password (if
// the URL has one) never appears in `where` or `error`.
DatabaseState readPostgresSchemaVersion(const std::string &url);

}  // namespace medrtc::app
