#include "store/postgres/postgres_store.hpp"

#include "common/random.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/postgres_migrations.hpp"

namespace medrtc::store {

using pg::findOne;
using pg::select;

PostgresStore::PostgresStore(const std::string& url) : db_(std::make_unique<PgConnection>(url)) { migrate(); }

PostgresStore::~PostgresStore() = default;

int PostgresStore::schemaVersion() {
  return db_->transact([](pqxx::work& txn) {
    return txn.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0].as<int>();
  });
}

void PostgresStore::migrate() {
  db_->transact([](pqxx::work& txn) {
    // Nodes sharing the database may start at the same moment: the lock (per schema,
    // released at commit) makes the second wait and then find nothing left to apply.
    txn.exec("SELECT pg_advisory_xact_lock(hashtext('medrtc.migrate.' || COALESCE(current_schema(), '')))");
    txn.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
    int current = txn.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0].as<int>();
    auto migrations = postgresMigrations();
    if (current > migrations.back().version) {
      throw StoreFailure("database schema version " + std::to_string(current) + " is newer than this medrtc (" +
                         std::to_string(migrations.back().version) + ")");
    }
    for (const Migration& m : migrations) {
      if (m.version <= current) {
        continue;
      }
      txn.exec(std::string(m.sql));
      txn.exec_params("INSERT INTO schema_version (version, applied_at) VALUES ($1, EXTRACT(EPOCH FROM now())::BIGINT)",
                      m.version);
    }
  });
}

// Rooms.

RoomRecord PostgresStore::createRoom(const NewRoom& room, UnixSeconds now) {
  RoomRecord r{"r_" + randomHex(8), room.name, now, std::nullopt, room.waitingRoom, room.tenantId};
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params("INSERT INTO rooms (id, name, created_at, waiting_room, tenant_id) VALUES ($1, $2, $3, $4, $5)",
                    r.id, r.name, now, r.waitingRoom, r.tenantId);
  });
  return r;
}

std::optional<RoomRecord> PostgresStore::findRoom(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kRoomColumns, "rooms", "WHERE id = $1"), pg::readRoom, id);
  });
}

bool PostgresStore::endRoom(const std::string& id, UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE rooms SET end_change = CASE WHEN ended_at IS NULL THEN '' ELSE '-' END, "
                           "ended_at = COALESCE(ended_at, $1) WHERE id = $2", now, id)
               .affected_rows() > 0;
  });
}

bool PostgresStore::reopenRoom(const std::string& id, UnixSeconds endedAt) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE rooms SET ended_at = NULL WHERE id = $1 AND ended_at = $2 AND end_change = ''",
                           id, endedAt)
               .affected_rows() > 0;
  });
}

// API keys.

ApiKeyRecord PostgresStore::addApiKey(const std::string& keyHash, const std::string& prefix, const std::string& name,
                                      UnixSeconds now, const std::string& tenantId) {
  ApiKeyRecord r{"ak_" + randomHex(8), prefix, name, now, tenantId};
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(
        "INSERT INTO api_keys (id, key_hash, prefix, name, created_at, tenant_id) VALUES ($1, $2, $3, $4, $5, $6)",
        r.id, keyHash, prefix, name, now, tenantId);
  });
  return r;
}

std::optional<ApiKeyRecord> PostgresStore::findApiKeyByHash(const std::string& keyHash) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(
        txn, "SELECT id, prefix, name, created_at, tenant_id FROM api_keys WHERE key_hash = $1",
        [](const pqxx::row& r) {
          return ApiKeyRecord{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                              r[3].as<int64_t>(), r[4].as<std::string>()};
        },
        keyHash);
  });
}

int64_t PostgresStore::countApiKeys() {
  return db_->transact(
      [](pqxx::work& txn) { return txn.exec("SELECT COUNT(*) FROM api_keys")[0][0].as<int64_t>(); });
}

// Tenants.

TenantRecord PostgresStore::createTenant(TenantRecord t) {
  if (t.id.empty()) {
    t.id = "t_" + randomHex(8);
  }
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(std::string("INSERT INTO tenants (") + pg::kTenantColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    t.id, t.name, t.displayName, t.primaryColor, t.logoUrl, t.policyProfile, t.region, t.requireTotp,
                    t.idleLogoffMinutes, t.createdAt);
  });
  return t;
}

std::optional<TenantRecord> PostgresStore::findTenant(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kTenantColumns, "tenants", "WHERE id = $1"), pg::readTenant, id);
  });
}

int64_t PostgresStore::countTenants() {
  return db_->transact(
      [](pqxx::work& txn) { return txn.exec("SELECT COUNT(*) FROM tenants")[0][0].as<int64_t>(); });
}

std::vector<TenantRecord> PostgresStore::listTenants() {
  return db_->transact([&](pqxx::work& txn) {
    return pg::findAll(txn, select(pg::kTenantColumns, "tenants", "ORDER BY id"), pg::readTenant);
  });
}

std::vector<TermsRecord> PostgresStore::listTerms(const std::string& tenantId) {
  return db_->transact([&](pqxx::work& txn) {
    return pg::findAll(
        txn, "SELECT tenant_id, lang, body, updated_at, updated_by FROM tenant_terms WHERE tenant_id = $1 ORDER BY lang",
        [](const pqxx::row& r) {
          return TermsRecord{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                             r[3].as<int64_t>(), r[4].as<std::string>()};
        },
        tenantId);
  });
}

void PostgresStore::putTerms(const TermsRecord& t) {
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params("INSERT INTO tenant_terms (tenant_id, lang, body, updated_at, updated_by) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, lang) DO UPDATE SET body = EXCLUDED.body, "
                    "updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by",
                    t.tenantId, t.lang, t.body, t.updatedAt, t.updatedBy);
  });
}

bool PostgresStore::replaceTerms(const TermsRecord& expected, const TermsRecord& next) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE tenant_terms SET body = $1, updated_at = $2, updated_by = $3 WHERE tenant_id = $4 "
                           "AND lang = $5 AND body = $6 AND updated_at = $7 AND updated_by = $8",
                           next.body, next.updatedAt, next.updatedBy, expected.tenantId, expected.lang, expected.body,
                           expected.updatedAt, expected.updatedBy)
               .affected_rows() > 0;
  });
}

// Users.

UserRecord PostgresStore::createUser(UserRecord u) {
  if (u.id.empty()) {
    u.id = "u_" + randomHex(8);
  }
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(std::string("INSERT INTO users (") + pg::kUserColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    u.id, u.tenantId, u.email, u.displayName, u.role, u.passwordHash, u.totpSecret, u.disabled,
                    u.createdAt, u.sealedEmail);
  });
  return u;
}

std::optional<UserRecord> PostgresStore::findUser(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kUserColumns, "users", "WHERE id = $1"), pg::readUser, id);
  });
}

std::optional<UserRecord> PostgresStore::findUserByEmail(const std::string& email) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kUserColumns, "users", "WHERE email = $1"), pg::readUser, email);
  });
}

int64_t PostgresStore::countUsers() {
  return db_->transact([](pqxx::work& txn) { return txn.exec("SELECT COUNT(*) FROM users")[0][0].as<int64_t>(); });
}

std::vector<UserRecord> PostgresStore::listUsers() {
  return db_->transact(
      [&](pqxx::work& txn) { return pg::findAll(txn, select(pg::kUserColumns, "users", "ORDER BY id"), pg::readUser); });
}

bool PostgresStore::updateUserPersonal(const UserRecord& u) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE users SET email = $1, display_name = $2, email_sealed = $3 WHERE id = $4", u.email,
                           u.displayName, u.sealedEmail, u.id)
               .affected_rows() > 0;
  });
}

bool PostgresStore::sealUnsealedUser(const UserRecord& u) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params(
                  "UPDATE users SET email = $1, display_name = $2, email_sealed = $3 WHERE id = $4 AND email_sealed = ''",
                  u.email, u.displayName, u.sealedEmail, u.id)
               .affected_rows() > 0;
  });
}

bool PostgresStore::replaceUserTotpSecret(const std::string& userId, const std::string& expected,
                                          const std::string& next) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3", next, userId,
                           expected)
               .affected_rows() > 0;
  });
}

// Sign-in sessions.

void PostgresStore::createSession(const SessionRecord& s) {
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(std::string("INSERT INTO sessions (") + pg::kSessionColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    s.idHash, s.userId, s.tenantId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt);
  });
}

std::optional<SessionRecord> PostgresStore::findSession(const std::string& idHash) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kSessionColumns, "sessions", "WHERE id_hash = $1"), pg::readSession, idHash);
  });
}

void PostgresStore::touchSession(const std::string& idHash, UnixSeconds lastSeenAt) {
  db_->transact([&](pqxx::work& txn) {
    // Requests may finish out of order: the last-seen time never goes back.
    txn.exec_params("UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id_hash = $2", lastSeenAt,
                    idHash);
  });
}

void PostgresStore::deleteSession(const std::string& idHash) {
  db_->transact(
      [&](pqxx::work& txn) { txn.exec_params("DELETE FROM sessions WHERE id_hash = $1", idHash); });
}

int64_t PostgresStore::deleteUserSessions(const std::string& userId) {
  return db_->transact([&](pqxx::work& txn) {
    return static_cast<int64_t>(txn.exec_params("DELETE FROM sessions WHERE user_id = $1", userId).affected_rows());
  });
}

int64_t PostgresStore::deleteExpiredSessions(UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) {
    return static_cast<int64_t>(
        txn.exec_params("DELETE FROM sessions WHERE expires_at <= $1", now).affected_rows());
  });
}

}  // namespace medrtc::store
