#pragma once
// The PostgreSQL dialect of the numbered migrations (src/store/postgres/migrations/).
// Numbers and names match sqlMigrations() one for one (a unit test checks), so a
// schema version means the same tables on both backends.
#include <span>

#include "store/migrations.hpp"

namespace medrtc::store {

std::span<const Migration> postgresMigrations();

}  // namespace medrtc::store
