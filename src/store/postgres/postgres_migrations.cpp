#include "store/postgres/postgres_migrations.hpp"

#include <array>

namespace medrtc::store {

namespace {

constexpr std::array kMigrations{
    Migration{1, "rooms_api_keys",
#include "store/postgres/migrations/0001_rooms_api_keys.sql.hpp"
    },
    Migration{2, "clinic",
#include "store/postgres/migrations/0002_clinic.sql.hpp"
    },
    Migration{3, "sealed_personal_fields",
#include "store/postgres/migrations/0003_sealed_personal_fields.sql.hpp"
    },
    Migration{4, "tenant_scope",
#include "store/postgres/migrations/0004_tenant_scope.sql.hpp"
    },
    Migration{5, "webhooks",
#include "store/postgres/migrations/0005_webhooks.sql.hpp"
    },
    Migration{6, "tenant_terms",
#include "store/postgres/migrations/0006_tenant_terms.sql.hpp"
    },
    Migration{7, "quality_history",
#include "store/postgres/migrations/0007_quality_history.sql.hpp"
    },
    Migration{8, "request_keyed_changes",
#include "store/postgres/migrations/0008_request_keyed_changes.sql.hpp"
    },
};

}  // namespace

std::span<const Migration> postgresMigrations() { return kMigrations; }

}  // namespace medrtc::store
