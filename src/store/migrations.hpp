#pragma once
// Numbered SQL migrations, compiled into the binary (src/store/migrations/NNNN_*.sql.hpp).
// Migration i (1-based) brings the schema from version i-1 to version i.
#include <span>
#include <string_view>

namespace medrtc::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> sqlMigrations();

}  // namespace medrtc::store
