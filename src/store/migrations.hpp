#pragma once
// Numbered SQL migrations, compiled into the binary (src/store/migrations/NNNN_*.sql.hpp).
// Each brings the schema to its version. Numbers ascend; while parallel branches hold
// reserved numbers (issue work streams), a list may skip some until they are merged, so
// the schema version is the last migration's number, not the list's length.
#include <span>
#include <string_view>

namespace medrtc::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> sqlMigrations();
// The schema version a fully migrated database has (the last migration's number).
int latestSchemaVersion();

}  // namespace medrtc::store
