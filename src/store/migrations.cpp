#include "store/migrations.hpp"

#include <array>

namespace medrtc::store {

namespace {

constexpr std::array kMigrations{
    Migration{1, "rooms_api_keys",
#include "store/migrations/0001_rooms_api_keys.sql.hpp"
    },
    Migration{2, "clinic",
#include "store/migrations/0002_clinic.sql.hpp"
    },
};

}  // namespace

std::span<const Migration> sqlMigrations() { return kMigrations; }

}  // namespace medrtc::store
