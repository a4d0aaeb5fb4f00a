#pragma once
// Column lists and row readers shared by the PostgreSQL store's files. Internal.
#include <pqxx/pqxx>

#include <optional>

#include "store/store.hpp"

namespace medrtc::store::pg {

// Runs a one-row-or-none query and reads it with `read`.
template <typename Read, typename... Args>
auto findOne(pqxx::work& txn, const std::string& sql, Read read, Args&&... args)
    -> std::optional<decltype(read(std::declval<const pqxx::row&>()))> {
  pqxx::result r = txn.exec_params(sql, std::forward<Args>(args)...);
  if (r.empty()) {
    return std::nullopt;
  }
  return read(r[0]);
}

template <typename Read, typename... Args>
auto findAll(pqxx::work& txn, const std::string& sql, Read read, Args&&... args)
    -> std::vector<decltype(read(std::declval<const pqxx::row&>()))> {
  pqxx::result r = txn.exec_params(sql, std::forward<Args>(args)...);
  std::vector<decltype(read(std::declval<const pqxx::row&>()))> out;
  out.reserve(r.size());
  for (const auto& row : r) {
    out.push_back(read(row));
  }
  return out;
}

// A nullable BIGINT column.
inline std::optional<int64_t> optionalInt(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<int64_t>(f.as<int64_t>());
}

inline constexpr const char* kRoomColumns = "id, name, created_at, ended_at, waiting_room, tenant_id";
inline RoomRecord readRoom(const pqxx::row& r) {
  RoomRecord room;
  room.id = r[0].as<std::string>();
  room.name = r[1].as<std::string>();
  room.createdAt = r[2].as<int64_t>();
  room.endedAt = optionalInt(r[3]);
  room.waitingRoom = r[4].as<bool>();
  room.tenantId = r[5].as<std::string>();
  return room;
}

inline constexpr const char* kTenantColumns =
    "id, name, display_name, primary_color, logo_url, policy_profile, region, require_totp, idle_logoff_minutes, "
    "created_at";
inline TenantRecord readTenant(const pqxx::row& r) {
  TenantRecord t;
  t.id = r[0].as<std::string>();
  t.name = r[1].as<std::string>();
  t.displayName = r[2].as<std::string>();
  t.primaryColor = r[3].as<std::string>();
  t.logoUrl = r[4].as<std::string>();
  t.policyProfile = r[5].as<std::string>();
  t.region = r[6].as<std::string>();
  t.requireTotp = r[7].as<bool>();
  t.idleLogoffMinutes = r[8].as<int>();
  t.createdAt = r[9].as<int64_t>();
  return t;
}

inline constexpr const char* kUserColumns =
    "id, tenant_id, email, display_name, role, password_hash, totp_secret, disabled, created_at, email_sealed";
inline UserRecord readUser(const pqxx::row& r) {
  UserRecord u;
  u.id = r[0].as<std::string>();
  u.tenantId = r[1].as<std::string>();
  u.email = r[2].as<std::string>();
  u.displayName = r[3].as<std::string>();
  u.role = r[4].as<std::string>();
  u.passwordHash = r[5].as<std::string>();
  u.totpSecret = r[6].as<std::string>();
  u.disabled = r[7].as<bool>();
  u.createdAt = r[8].as<int64_t>();
  u.sealedEmail = r[9].as<std::string>();
  return u;
}

inline constexpr const char* kSessionColumns =
    "id_hash, user_id, tenant_id, csrf_token, created_at, last_seen_at, expires_at";
inline SessionRecord readSession(const pqxx::row& r) {
  SessionRecord s;
  s.idHash = r[0].as<std::string>();
  s.userId = r[1].as<std::string>();
  s.tenantId = r[2].as<std::string>();
  s.csrfToken = r[3].as<std::string>();
  s.createdAt = r[4].as<int64_t>();
  s.lastSeenAt = r[5].as<int64_t>();
  s.expiresAt = r[6].as<int64_t>();
  return s;
}

inline constexpr const char* kAppointmentColumns =
    "id, tenant_id, practitioner_id, status, start_at, end_at, title, patient_reference, room_id, created_at, "
    "updated_at, sealed, host_delegate_id";
inline AppointmentRecord readAppointment(const pqxx::row& r) {
  AppointmentRecord a;
  a.id = r[0].as<std::string>();
  a.tenantId = r[1].as<std::string>();
  a.practitionerId = r[2].as<std::string>();
  a.status = r[3].as<std::string>();
  a.start = r[4].as<int64_t>();
  a.end = r[5].as<int64_t>();
  a.title = r[6].as<std::string>();
  a.patientReference = r[7].as<std::string>();
  a.roomId = r[8].as<std::string>();
  a.createdAt = r[9].as<int64_t>();
  a.updatedAt = r[10].as<int64_t>();
  a.sealed = r[11].as<bool>();
  a.hostDelegateId = r[12].as<std::string>();
  return a;
}

inline constexpr const char* kInvitationColumns =
    "id, tenant_id, appointment_id, room_id, role, token_hash, code_hash, created_at, expires_at, revoked_at, "
    "used_at, used_by_guest_id";
inline InvitationRecord readInvitation(const pqxx::row& r) {
  InvitationRecord i;
  i.id = r[0].as<std::string>();
  i.tenantId = r[1].as<std::string>();
  i.appointmentId = r[2].as<std::string>();
  i.roomId = r[3].as<std::string>();
  i.role = r[4].as<std::string>();
  i.tokenHash = r[5].as<std::string>();
  i.codeHash = r[6].as<std::string>();
  i.createdAt = r[7].as<int64_t>();
  i.expiresAt = r[8].as<int64_t>();
  i.revokedAt = optionalInt(r[9]);
  i.usedAt = optionalInt(r[10]);
  i.usedByGuestId = r[11].as<std::string>();
  return i;
}

inline constexpr const char* kGuestColumns =
    "id, room_id, identity, role, state, tenant_id, invitation_id, created_at, updated_at";
inline GuestRecord readGuest(const pqxx::row& r) {
  GuestRecord g;
  g.id = r[0].as<std::string>();
  g.roomId = r[1].as<std::string>();
  g.identity = r[2].as<std::string>();
  g.role = r[3].as<std::string>();
  g.state = r[4].as<std::string>();
  g.tenantId = r[5].as<std::string>();
  g.invitationId = r[6].as<std::string>();
  g.createdAt = r[7].as<int64_t>();
  g.updatedAt = r[8].as<int64_t>();
  return g;
}

// "SELECT <columns> FROM <table> <rest>": the pieces are constants of this module.
inline std::string select(const char* columns, const char* table, const char* rest) {
  return std::string("SELECT ") + columns + " FROM " + table + " " + rest;
}

}  // namespace medrtc::store::pg
