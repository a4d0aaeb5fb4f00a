#include "store/sqlite_store.hpp"

#include "store/data_dir.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <string>

#include "common/random.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_statement.hpp"
#include "store/store_metrics.hpp"

namespace medrtc::store {

namespace {

using sqlite::Statement;


RoomRecord readRoom(Statement& s) {
  RoomRecord r;
  r.id = s.text(0);
  r.name = s.text(1);
  r.createdAt = s.integer(2);
  if (!s.isNull(3)) {
    r.endedAt = s.integer(3);
  }
  r.waitingRoom = s.integer(4) != 0;
  r.tenantId = s.text(5);
  return r;
}

constexpr const char* kTenantColumns =
    "id, name, display_name, primary_color, logo_url, policy_profile, region, require_totp, idle_logoff_minutes, "
    "created_at";
TenantRecord readTenant(Statement& s) {
  TenantRecord t;
  t.id = s.text(0);
  t.name = s.text(1);
  t.displayName = s.text(2);
  t.primaryColor = s.text(3);
  t.logoUrl = s.text(4);
  t.policyProfile = s.text(5);
  t.region = s.text(6);
  t.requireTotp = s.integer(7) != 0;
  t.idleLogoffMinutes = static_cast<int>(s.integer(8));
  t.createdAt = s.integer(9);
  return t;
}

constexpr const char* kUserColumns =
    "id, tenant_id, email, display_name, role, password_hash, totp_secret, disabled, created_at, email_sealed";
UserRecord readUser(Statement& s) {
  UserRecord u;
  u.id = s.text(0);
  u.tenantId = s.text(1);
  u.email = s.text(2);
  u.displayName = s.text(3);
  u.role = s.text(4);
  u.passwordHash = s.text(5);
  u.totpSecret = s.text(6);
  u.disabled = s.integer(7) != 0;
  u.createdAt = s.integer(8);
  u.sealedEmail = s.text(9);
  return u;
}

constexpr const char* kAppointmentColumns =
    "id, tenant_id, practitioner_id, status, start_at, end_at, title, patient_reference, room_id, created_at, "
    "updated_at, sealed, host_delegate_id";
AppointmentRecord readAppointment(Statement& s) {
  AppointmentRecord a;
  a.id = s.text(0);
  a.tenantId = s.text(1);
  a.practitionerId = s.text(2);
  a.status = s.text(3);
  a.start = s.integer(4);
  a.end = s.integer(5);
  a.title = s.text(6);
  a.patientReference = s.text(7);
  a.roomId = s.text(8);
  a.createdAt = s.integer(9);
  a.updatedAt = s.integer(10);
  a.sealed = s.integer(11) != 0;
  a.hostDelegateId = s.text(12);
  return a;
}

constexpr const char* kInvitationColumns =
    "id, tenant_id, appointment_id, room_id, role, token_hash, code_hash, created_at, expires_at, revoked_at, "
    "used_at, used_by_guest_id";
InvitationRecord readInvitation(Statement& s) {
  InvitationRecord i;
  i.id = s.text(0);
  i.tenantId = s.text(1);
  i.appointmentId = s.text(2);
  i.roomId = s.text(3);
  i.role = s.text(4);
  i.tokenHash = s.text(5);
  i.codeHash = s.text(6);
  i.createdAt = s.integer(7);
  i.expiresAt = s.integer(8);
  i.revokedAt = s.optionalInteger(9);
  i.usedAt = s.optionalInteger(10);
  i.usedByGuestId = s.text(11);
  return i;
}

constexpr const char* kGuestColumns =
    "id, room_id, identity, role, state, tenant_id, invitation_id, created_at, updated_at";
GuestRecord readGuest(Statement& s) {
  GuestRecord g;
  g.id = s.text(0);
  g.roomId = s.text(1);
  g.identity = s.text(2);
  g.role = s.text(3);
  g.state = s.text(4);
  g.tenantId = s.text(5);
  g.invitationId = s.text(6);
  g.createdAt = s.integer(7);
  g.updatedAt = s.integer(8);
  return g;
}

std::string select(const char* columns, const char* table, const char* where) {
  return std::string("SELECT ") + columns + " FROM " + table + " " + where;
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& dbFile) {
  // The database holds password hashes and sealed personal data: 0600 from its first
  // byte, and SQLite gives -wal and -shm the database file's mode.
  try {
    createPrivateFile(dbFile);
  } catch (const std::runtime_error& e) {
    throw StoreFailure(e.what());
  }
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
    // Deleted and overwritten rows are zeroed in the file, so a purged or re-sealed
    // personal field does not linger in free pages (retention, F3).
    exec("PRAGMA secure_delete=ON");
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
    if (current > migrations.back().version) {
      throw StoreFailure("database schema version " + std::to_string(current) + " is newer than this medrtc (" +
                         std::to_string(migrations.back().version) + ")");
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

RoomRecord SqliteStore::createRoom(const NewRoom& room, UnixSeconds now) {
  RoomRecord r{"r_" + randomHex(8), room.name, now, std::nullopt, room.waitingRoom, room.tenantId};
  Statement s(db_, "INSERT INTO rooms (id, name, created_at, waiting_room, tenant_id) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, r.name).bind(3, now).bind(4, int64_t{r.waitingRoom}).bind(5, r.tenantId).run();
  return r;
}

std::optional<RoomRecord> SqliteStore::findRoom(const std::string& id) {
  Statement s(db_, "SELECT id, name, created_at, ended_at, waiting_room, tenant_id FROM rooms WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) {
    return std::nullopt;
  }
  return readRoom(s);
}

bool SqliteStore::endRoom(const std::string& id, UnixSeconds now) {
  Statement s(db_, "UPDATE rooms SET end_change = CASE WHEN ended_at IS NULL THEN '' ELSE '-' END, ended_at = "
                   "COALESCE(ended_at, ?) WHERE id = ?");
  s.bind(1, now).bind(2, id).step();
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::reopenRoom(const std::string& id, UnixSeconds endedAt) {
  Statement s(db_, "UPDATE rooms SET ended_at = NULL WHERE id = ? AND ended_at = ? AND end_change = ''");
  s.bind(1, id).bind(2, endedAt).step();
  return sqlite3_changes(db_) > 0;
}

ApiKeyRecord SqliteStore::addApiKey(const std::string& keyHash, const std::string& prefix, const std::string& name,
                                    UnixSeconds now, const std::string& tenantId) {
  ApiKeyRecord r{"ak_" + randomHex(8), prefix, name, now, tenantId};
  Statement s(db_,
              "INSERT INTO api_keys (id, key_hash, prefix, name, created_at, tenant_id) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, keyHash).bind(3, prefix).bind(4, name).bind(5, now).bind(6, tenantId).step();
  return r;
}

std::optional<ApiKeyRecord> SqliteStore::findApiKeyByHash(const std::string& keyHash) {
  Statement s(db_, "SELECT id, prefix, name, created_at, tenant_id FROM api_keys WHERE key_hash = ?");
  s.bind(1, keyHash);
  if (!s.step()) {
    return std::nullopt;
  }
  return ApiKeyRecord{s.text(0), s.text(1), s.text(2), s.integer(3), s.text(4)};
}

int64_t SqliteStore::countApiKeys() {
  Statement s(db_, "SELECT COUNT(*) FROM api_keys");
  s.step();
  return s.integer(0);
}

TenantRecord SqliteStore::createTenant(TenantRecord t) {
  if (t.id.empty()) {
    t.id = "t_" + randomHex(8);
  }
  Statement s(db_,
              "INSERT INTO tenants (id, name, display_name, primary_color, logo_url, policy_profile, region, "
              "require_totp, idle_logoff_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, t.id).bind(2, t.name).bind(3, t.displayName).bind(4, t.primaryColor).bind(5, t.logoUrl);
  s.bind(6, t.policyProfile).bind(7, t.region).bind(8, int64_t{t.requireTotp}).bind(9, int64_t{t.idleLogoffMinutes});
  s.bind(10, t.createdAt).run();
  return t;
}

std::optional<TenantRecord> SqliteStore::findTenant(const std::string& id) {
  Statement s(db_, select(kTenantColumns, "tenants", "WHERE id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) {
    return std::nullopt;
  }
  return readTenant(s);
}

int64_t SqliteStore::countTenants() {
  Statement s(db_, "SELECT COUNT(*) FROM tenants");
  s.step();
  return s.integer(0);
}

std::vector<TenantRecord> SqliteStore::listTenants() {
  Statement s(db_, select(kTenantColumns, "tenants", "ORDER BY id").c_str());
  std::vector<TenantRecord> out;
  while (s.step()) {
    out.push_back(readTenant(s));
  }
  return out;
}

std::vector<TermsRecord> SqliteStore::listTerms(const std::string& tenantId) {
  Statement s(db_,
              "SELECT tenant_id, lang, body, updated_at, updated_by FROM tenant_terms WHERE tenant_id = ? ORDER BY lang");
  s.bind(1, tenantId);
  std::vector<TermsRecord> out;
  while (s.step()) {
    out.push_back(TermsRecord{s.text(0), s.text(1), s.text(2), s.integer(3), s.text(4)});
  }
  return out;
}

void SqliteStore::putTerms(const TermsRecord& t) {
  Statement s(db_,
              "INSERT INTO tenant_terms (tenant_id, lang, body, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) "
              "ON CONFLICT (tenant_id, lang) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, "
              "updated_by = excluded.updated_by");
  s.bind(1, t.tenantId).bind(2, t.lang).bind(3, t.body).bind(4, t.updatedAt).bind(5, t.updatedBy).run();
}

bool SqliteStore::replaceTerms(const TermsRecord& expected, const TermsRecord& next) {
  Statement s(db_,
              "UPDATE tenant_terms SET body = ?, updated_at = ?, updated_by = ? WHERE tenant_id = ? AND lang = ? AND "
              "body = ? AND updated_at = ? AND updated_by = ?");
  s.bind(1, next.body).bind(2, next.updatedAt).bind(3, next.updatedBy).bind(4, expected.tenantId);
  s.bind(5, expected.lang).bind(6, expected.body).bind(7, expected.updatedAt).bind(8, expected.updatedBy).run();
  return sqlite3_changes(db_) > 0;
}

UserRecord SqliteStore::createUser(UserRecord u) {
  if (u.id.empty()) {
    u.id = "u_" + randomHex(8);
  }
  Statement s(db_,
              "INSERT INTO users (id, tenant_id, email, display_name, role, password_hash, totp_secret, disabled, "
              "created_at, email_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, u.id).bind(2, u.tenantId).bind(3, u.email).bind(4, u.displayName).bind(5, u.role);
  s.bind(6, u.passwordHash).bind(7, u.totpSecret).bind(8, int64_t{u.disabled}).bind(9, u.createdAt);
  s.bind(10, u.sealedEmail).run();
  return u;
}

std::optional<UserRecord> SqliteStore::findUser(const std::string& id) {
  Statement s(db_, select(kUserColumns, "users", "WHERE id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) {
    return std::nullopt;
  }
  return readUser(s);
}

std::optional<UserRecord> SqliteStore::findUserByEmail(const std::string& email) {
  Statement s(db_, select(kUserColumns, "users", "WHERE email = ?").c_str());
  s.bind(1, email);
  if (!s.step()) {
    return std::nullopt;
  }
  return readUser(s);
}

int64_t SqliteStore::countUsers() {
  Statement s(db_, "SELECT COUNT(*) FROM users");
  s.step();
  return s.integer(0);
}

bool SqliteStore::sealUnsealedUser(const UserRecord& u) {
  Statement s(db_,
              "UPDATE users SET email = ?, display_name = ?, email_sealed = ? WHERE id = ? AND email_sealed = ''");
  s.bind(1, u.email).bind(2, u.displayName).bind(3, u.sealedEmail).bind(4, u.id).run();
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::replaceUserTotpSecret(const std::string& userId, const std::string& expected,
                                        const std::string& next) {
  Statement s(db_, "UPDATE users SET totp_secret = ? WHERE id = ? AND totp_secret = ?");
  s.bind(1, next).bind(2, userId).bind(3, expected).run();
  return sqlite3_changes(db_) > 0;
}

std::vector<UserRecord> SqliteStore::listUsers() {
  Statement s(db_, select(kUserColumns, "users", "ORDER BY id").c_str());
  std::vector<UserRecord> out;
  while (s.step()) {
    out.push_back(readUser(s));
  }
  return out;
}

bool SqliteStore::updateUserPersonal(const UserRecord& u) {
  Statement s(db_, "UPDATE users SET email = ?, display_name = ?, email_sealed = ? WHERE id = ?");
  s.bind(1, u.email).bind(2, u.displayName).bind(3, u.sealedEmail).bind(4, u.id).run();
  return sqlite3_changes(db_) > 0;
}

void SqliteStore::createSession(const SessionRecord& r) {
  Statement s(db_,
              "INSERT INTO sessions (id_hash, user_id, tenant_id, csrf_token, created_at, last_seen_at, expires_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.idHash).bind(2, r.userId).bind(3, r.tenantId).bind(4, r.csrfToken).bind(5, r.createdAt);
  s.bind(6, r.lastSeenAt).bind(7, r.expiresAt).run();
}

std::optional<SessionRecord> SqliteStore::findSession(const std::string& idHash) {
  Statement s(db_,
              "SELECT id_hash, user_id, tenant_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions "
              "WHERE id_hash = ?");
  s.bind(1, idHash);
  if (!s.step()) {
    return std::nullopt;
  }
  return SessionRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4), s.integer(5), s.integer(6)};
}

void SqliteStore::touchSession(const std::string& idHash, UnixSeconds lastSeenAt) {
  Statement s(db_, "UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id_hash = ?");
  s.bind(1, lastSeenAt).bind(2, idHash).run();
}

void SqliteStore::deleteSession(const std::string& idHash) {
  Statement s(db_, "DELETE FROM sessions WHERE id_hash = ?");
  s.bind(1, idHash).run();
}

int64_t SqliteStore::deleteExpiredSessions(UnixSeconds now) {
  Statement s(db_, "DELETE FROM sessions WHERE expires_at <= ?");
  s.bind(1, now).run();
  return sqlite3_changes(db_);
}

int64_t SqliteStore::deleteUserSessions(const std::string& userId) {
  Statement s(db_, "DELETE FROM sessions WHERE user_id = ?");
  s.bind(1, userId).run();
  return sqlite3_changes(db_);
}

AppointmentRecord SqliteStore::createAppointment(AppointmentRecord a) {
  if (a.id.empty()) {
    a.id = "a_" + randomHex(8);
  }
  Statement s(db_,
              "INSERT INTO appointments (id, tenant_id, practitioner_id, status, start_at, end_at, title, "
              "patient_reference, room_id, created_at, updated_at, sealed, host_delegate_id) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, a.id).bind(2, a.tenantId).bind(3, a.practitionerId).bind(4, a.status).bind(5, a.start).bind(6, a.end);
  s.bind(7, a.title).bind(8, a.patientReference).bind(9, a.roomId).bind(10, a.createdAt).bind(11, a.updatedAt);
  s.bind(12, int64_t{a.sealed}).bind(13, a.hostDelegateId).run();
  return a;
}

std::optional<AppointmentRecord> SqliteStore::findAppointment(const std::string& id) {
  Statement s(db_, select(kAppointmentColumns, "appointments", "WHERE id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) {
    return std::nullopt;
  }
  return readAppointment(s);
}

std::vector<AppointmentRecord> SqliteStore::listAppointments(const std::string& tenantId, UnixSeconds from,
                                                             UnixSeconds to) {
  Statement s(db_, select(kAppointmentColumns, "appointments",
                          "WHERE tenant_id = ? AND start_at >= ? AND start_at < ? ORDER BY start_at, id")
                       .c_str());
  s.bind(1, tenantId).bind(2, from).bind(3, to);
  std::vector<AppointmentRecord> out;
  while (s.step()) {
    out.push_back(readAppointment(s));
  }
  return out;
}

bool SqliteStore::updateAppointment(const AppointmentRecord& a) {
  Statement s(db_,
              "UPDATE appointments SET status = ?, start_at = ?, end_at = ?, title = ?, patient_reference = ?, "
              "updated_at = ?, sealed = ? WHERE id = ?");
  s.bind(1, a.status).bind(2, a.start).bind(3, a.end).bind(4, a.title).bind(5, a.patientReference);
  s.bind(6, a.updatedAt).bind(7, int64_t{a.sealed}).bind(8, a.id).run();
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::setAppointmentDelegate(const std::string& id, const std::string& delegateId, UnixSeconds now) {
  Statement s(db_, "UPDATE appointments SET host_delegate_id = ?, updated_at = ? WHERE id = ?");
  s.bind(1, delegateId).bind(2, now).bind(3, id).run();
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::sealUnsealedAppointment(const AppointmentRecord& a) {
  Statement s(db_, "UPDATE appointments SET title = ?, patient_reference = ?, sealed = 1 WHERE id = ? AND sealed = 0");
  s.bind(1, a.title).bind(2, a.patientReference).bind(3, a.id).run();
  return sqlite3_changes(db_) > 0;
}

std::vector<AppointmentRecord> SqliteStore::listUnsealedAppointments() {
  Statement s(db_, select(kAppointmentColumns, "appointments", "WHERE sealed = 0 ORDER BY id").c_str());
  std::vector<AppointmentRecord> out;
  while (s.step()) {
    out.push_back(readAppointment(s));
  }
  return out;
}

std::vector<std::string> SqliteStore::listAppointmentIds() {
  Statement s(db_, "SELECT id FROM appointments ORDER BY id");
  std::vector<std::string> out;
  while (s.step()) {
    out.push_back(s.text(0));
  }
  return out;
}

bool SqliteStore::roomHasAppointment(const std::string& roomId) {
  Statement s(db_, "SELECT 1 FROM appointments WHERE room_id = ? LIMIT 1");
  s.bind(1, roomId);
  return s.step();
}

InvitationRecord SqliteStore::createInvitation(InvitationRecord i) {
  if (i.id.empty()) {
    i.id = "i_" + randomHex(8);
  }
  Statement s(db_,
              "INSERT INTO invitations (id, tenant_id, appointment_id, room_id, role, token_hash, code_hash, "
              "created_at, expires_at, revoked_at, used_at, used_by_guest_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
              "?, ?)");
  s.bind(1, i.id).bind(2, i.tenantId).bind(3, i.appointmentId).bind(4, i.roomId).bind(5, i.role);
  s.bind(6, i.tokenHash).bind(7, i.codeHash).bind(8, i.createdAt).bind(9, i.expiresAt).bind(10, i.revokedAt);
  s.bind(11, i.usedAt).bind(12, i.usedByGuestId).run();
  return i;
}

std::optional<InvitationRecord> SqliteStore::findInvitation(const std::string& id) {
  Statement s(db_, select(kInvitationColumns, "invitations", "WHERE id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) {
    return std::nullopt;
  }
  return readInvitation(s);
}

std::optional<InvitationRecord> SqliteStore::findInvitationByTokenHash(const std::string& tokenHash) {
  Statement s(db_, select(kInvitationColumns, "invitations", "WHERE token_hash = ?").c_str());
  s.bind(1, tokenHash);
  if (!s.step()) {
    return std::nullopt;
  }
  return readInvitation(s);
}

std::optional<InvitationRecord> SqliteStore::findInvitationByCodeHash(const std::string& codeHash) {
  Statement s(db_, select(kInvitationColumns, "invitations", "WHERE code_hash = ?").c_str());
  s.bind(1, codeHash);
  if (!s.step()) {
    return std::nullopt;
  }
  return readInvitation(s);
}

std::vector<InvitationRecord> SqliteStore::listInvitations(const std::string& appointmentId) {
  Statement s(db_, select(kInvitationColumns, "invitations", "WHERE appointment_id = ? ORDER BY created_at, id").c_str());
  s.bind(1, appointmentId);
  std::vector<InvitationRecord> out;
  while (s.step()) {
    out.push_back(readInvitation(s));
  }
  return out;
}

bool SqliteStore::claimInvitation(const std::string& id, const std::string& guestId, UnixSeconds now) {
  // One UPDATE with the conditions in its WHERE: the database decides who was first.
  Statement s(db_,
              "UPDATE invitations SET used_at = ?, used_by_guest_id = ? WHERE id = ? AND used_at IS NULL AND "
              "revoked_at IS NULL AND expires_at > ?");
  s.bind(1, now).bind(2, guestId).bind(3, id).bind(4, now).run();
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::unclaimInvitation(const std::string& id, const std::string& guestId) {
  if (guestId.empty()) {
    return false;  // "" is what an unused invitation holds
  }
  exec("BEGIN IMMEDIATE");
  try {
    Statement s(db_,
                "UPDATE invitations SET used_at = NULL, used_by_guest_id = '' WHERE id = ? AND used_by_guest_id = ?");
    s.bind(1, id).bind(2, guestId).run();
    bool unclaimed = sqlite3_changes(db_) > 0;
    Statement g(db_, "DELETE FROM guests WHERE id = ? AND invitation_id = ?");
    g.bind(1, guestId).bind(2, id).run();
    exec("COMMIT");
    return unclaimed;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// The system's revocations also clear `revocation` (already revoked rows included): a
// user's revocation or a cancel pending its event must not be undone once the system
// meant the invitation revoked (end of consultation, erasure).
bool SqliteStore::revokeInvitation(const std::string& id, UnixSeconds now) {
  Statement s(db_, "UPDATE invitations SET revoked_at = COALESCE(revoked_at, ?), revocation = '' WHERE id = ?");
  s.bind(1, now).bind(2, id).run();
  return sqlite3_changes(db_) > 0;
}

int64_t SqliteStore::revokeRoomInvitations(const std::string& roomId, UnixSeconds now) {
  exec("BEGIN IMMEDIATE");
  try {
    Statement s(db_,
                "UPDATE invitations SET revoked_at = ? WHERE room_id = ? AND revoked_at IS NULL AND used_at IS NULL");
    s.bind(1, now).bind(2, roomId).run();
    int64_t revoked = sqlite3_changes(db_);
    Statement pin(db_, "UPDATE invitations SET revocation = '' WHERE room_id = ? AND revocation <> ''");
    pin.bind(1, roomId).run();
    exec("COMMIT");
    return revoked;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteStore::setAppointmentInvitationsExpiry(const std::string& appointmentId, UnixSeconds expiresAt) {
  Statement s(db_, "UPDATE invitations SET expires_at = ? WHERE appointment_id = ?");
  s.bind(1, expiresAt).bind(2, appointmentId).run();
}

GuestRecord SqliteStore::createGuest(GuestRecord g) {
  if (g.id.empty()) {
    g.id = "g_" + randomHex(8);
  }
  if (g.identity.empty()) {
    g.identity = g.id;
  }
  Statement s(db_,
              "INSERT INTO guests (id, room_id, identity, role, state, tenant_id, invitation_id, created_at, "
              "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, g.id).bind(2, g.roomId).bind(3, g.identity).bind(4, g.role).bind(5, g.state).bind(6, g.tenantId);
  s.bind(7, g.invitationId).bind(8, g.createdAt).bind(9, g.updatedAt).run();
  return g;
}

std::optional<GuestRecord> SqliteStore::findGuest(const std::string& id) {
  Statement s(db_, select(kGuestColumns, "guests", "WHERE id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) {
    return std::nullopt;
  }
  return readGuest(s);
}

std::optional<GuestRecord> SqliteStore::findGuestByIdentity(const std::string& roomId, const std::string& identity) {
  Statement s(db_, select(kGuestColumns, "guests", "WHERE room_id = ? AND identity = ?").c_str());
  s.bind(1, roomId).bind(2, identity);
  if (!s.step()) {
    return std::nullopt;
  }
  return readGuest(s);
}

bool SqliteStore::transitionRoomAppointment(const std::string& roomId, const std::string& expected,
                                            const std::string& next, UnixSeconds now) {
  Statement s(db_, "UPDATE appointments SET status = ?, updated_at = ? WHERE room_id = ? AND status = ?");
  s.bind(1, next).bind(2, now).bind(3, roomId).bind(4, expected).run();
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::transitionGuest(const std::string& id, const std::string& expected, const std::string& next,
                                  UnixSeconds now) {
  // SET reads the row as it was: a change of state keeps a pending add (Store::transitionGuest).
  Statement s(db_,
              "UPDATE guests SET state = ?1, updated_at = ?2, add_change = CASE WHEN state = ?1 OR add_change = '' "
              "OR add_change LIKE 'kept:%' THEN add_change ELSE 'kept:' || add_change END WHERE id = ?3 AND "
              "state = ?4");
  s.bind(1, next).bind(2, now).bind(3, id).bind(4, expected).run();
  return sqlite3_changes(db_) > 0;
}

MetadataPurge SqliteStore::purgeMetadata(const std::string& tenantId, UnixSeconds cutoff) {
  // ?1 tenant, ?2 cutoff. The subqueries read the appointments table, so it goes last.
  static constexpr const char* kExpired = "SELECT id FROM appointments WHERE tenant_id = ?1 AND end_at < ?2";
  static constexpr const char* kRooms =
      "SELECT id FROM rooms WHERE tenant_id = ?1 AND ended_at IS NOT NULL AND ended_at < ?2 AND id NOT IN "
      "(SELECT room_id FROM appointments WHERE end_at >= ?2) "
      "UNION SELECT room_id FROM appointments WHERE tenant_id = ?1 AND end_at < ?2";
  MetadataPurge purge;
  auto run = [&](const std::string& sql) {
    Statement s(db_, sql.c_str());
    s.bind(1, tenantId).bind(2, cutoff).run();
    return static_cast<int64_t>(sqlite3_changes(db_));
  };
  exec("BEGIN IMMEDIATE");
  try {
    {
      Statement s(db_, (std::string(kExpired) + " ORDER BY id").c_str());
      s.bind(1, tenantId).bind(2, cutoff);
      while (s.step()) {
        purge.appointmentIds.push_back(s.text(0));
      }
    }
    // Before the rooms: kRooms reads them.
    purge.qualitySamples = run(std::string("DELETE FROM quality_samples WHERE room_id IN (") + kRooms +
                               ") OR (tenant_id = ?1 AND at < ?2)");
    purge.guests = run(std::string("DELETE FROM guests WHERE room_id IN (") + kRooms +
                       ") OR invitation_id IN (SELECT id FROM invitations WHERE appointment_id IN (" + kExpired +
                       "))");
    purge.invitations = run(std::string("DELETE FROM invitations WHERE appointment_id IN (") + kExpired +
                            ") OR room_id IN (" + kRooms + ")");
    purge.rooms = run(std::string("DELETE FROM rooms WHERE id IN (") + kRooms + ")");
    purge.appointments = run("DELETE FROM appointments WHERE tenant_id = ?1 AND end_at < ?2");
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return purge;
}

}  // namespace medrtc::store
