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
    Migration{3, "sealed_personal_fields",
#include "store/migrations/0003_sealed_personal_fields.sql.hpp"
    },
    Migration{4, "tenant_scope",
#include "store/migrations/0004_tenant_scope.sql.hpp"
    },
    Migration{5, "webhooks",
#include "store/migrations/0005_webhooks.sql.hpp"
    },
    Migration{6, "tenant_terms",
#include "store/migrations/0006_tenant_terms.sql.hpp"
    },
    Migration{7, "quality_history",
#include "store/migrations/0007_quality_history.sql.hpp"
    },
    Migration{8, "request_keyed_changes",
#include "store/migrations/0008_request_keyed_changes.sql.hpp"
    },
};

}  // namespace

std::span<const Migration> sqlMigrations() { return kMigrations; }

int latestSchemaVersion() { return kMigrations.back().version; }

}  // namespace medrtc::store
