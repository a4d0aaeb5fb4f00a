// PostgresStore: appointments, invitations and guests (the clinic workflow).
#include <algorithm>

#include "common/random.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/postgres_store.hpp"

namespace medrtc::store {

using pg::findAll;
using pg::findOne;
using pg::select;

// Appointments.

AppointmentRecord PostgresStore::createAppointment(AppointmentRecord a) {
  if (a.id.empty()) {
    a.id = "a_" + randomHex(8);
  }
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(std::string("INSERT INTO appointments (") + pg::kAppointmentColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    a.id, a.tenantId, a.practitionerId, a.status, a.start, a.end, a.title, a.patientReference,
                    a.roomId, a.createdAt, a.updatedAt, a.sealed, a.hostDelegateId);
  });
  return a;
}

std::optional<AppointmentRecord> PostgresStore::findAppointment(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kAppointmentColumns, "appointments", "WHERE id = $1"), pg::readAppointment, id);
  });
}

std::vector<AppointmentRecord> PostgresStore::listAppointments(const std::string& tenantId, UnixSeconds from,
                                                               UnixSeconds to) {
  return db_->transact([&](pqxx::work& txn) {
    return findAll(txn,
                   select(pg::kAppointmentColumns, "appointments",
                          "WHERE tenant_id = $1 AND start_at >= $2 AND start_at < $3 ORDER BY start_at, id"),
                   pg::readAppointment, tenantId, from, to);
  });
}

bool PostgresStore::updateAppointment(const AppointmentRecord& a) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params(
                  "UPDATE appointments SET status = $1, start_at = $2, end_at = $3, title = $4, "
                  "patient_reference = $5, updated_at = $6, sealed = $7 WHERE id = $8",
                  a.status, a.start, a.end, a.title, a.patientReference, a.updatedAt, a.sealed, a.id)
               .affected_rows() > 0;
  });
}

bool PostgresStore::setAppointmentDelegate(const std::string& id, const std::string& delegateId, UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE appointments SET host_delegate_id = $1, updated_at = $2 WHERE id = $3", delegateId,
                           now, id)
               .affected_rows() > 0;
  });
}

std::vector<AppointmentRecord> PostgresStore::listUnsealedAppointments() {
  return db_->transact([&](pqxx::work& txn) {
    return findAll(txn, select(pg::kAppointmentColumns, "appointments", "WHERE NOT sealed ORDER BY id"),
                   pg::readAppointment);
  });
}

bool PostgresStore::sealUnsealedAppointment(const AppointmentRecord& a) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params(
                  "UPDATE appointments SET title = $1, patient_reference = $2, sealed = TRUE WHERE id = $3 AND NOT sealed",
                  a.title, a.patientReference, a.id)
               .affected_rows() > 0;
  });
}

std::vector<std::string> PostgresStore::listAppointmentIds() {
  return db_->transact([&](pqxx::work& txn) {
    return findAll(txn, "SELECT id FROM appointments ORDER BY id",
                   [](const pqxx::row& r) { return r[0].as<std::string>(); });
  });
}

bool PostgresStore::roomHasAppointment(const std::string& roomId) {
  return db_->transact([&](pqxx::work& txn) {
    return !txn.exec_params("SELECT 1 FROM appointments WHERE room_id = $1 LIMIT 1", roomId).empty();
  });
}

// Invitations.

InvitationRecord PostgresStore::createInvitation(InvitationRecord i) {
  if (i.id.empty()) {
    i.id = "i_" + randomHex(8);
  }
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(std::string("INSERT INTO invitations (") + pg::kInvitationColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    i.id, i.tenantId, i.appointmentId, i.roomId, i.role, i.tokenHash, i.codeHash, i.createdAt,
                    i.expiresAt, i.revokedAt, i.usedAt, i.usedByGuestId);
  });
  return i;
}

std::optional<InvitationRecord> PostgresStore::findInvitation(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kInvitationColumns, "invitations", "WHERE id = $1"), pg::readInvitation, id);
  });
}

std::optional<InvitationRecord> PostgresStore::findInvitationByTokenHash(const std::string& tokenHash) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kInvitationColumns, "invitations", "WHERE token_hash = $1"), pg::readInvitation,
                   tokenHash);
  });
}

std::optional<InvitationRecord> PostgresStore::findInvitationByCodeHash(const std::string& codeHash) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kInvitationColumns, "invitations", "WHERE code_hash = $1"), pg::readInvitation,
                   codeHash);
  });
}

std::vector<InvitationRecord> PostgresStore::listInvitations(const std::string& appointmentId) {
  return db_->transact([&](pqxx::work& txn) {
    return findAll(txn,
                   select(pg::kInvitationColumns, "invitations", "WHERE appointment_id = $1 ORDER BY created_at, id"),
                   pg::readInvitation, appointmentId);
  });
}

bool PostgresStore::claimInvitation(const std::string& id, const std::string& guestId, UnixSeconds now) {
  // One UPDATE with the whole condition: under READ COMMITTED a concurrent claimer
  // re-checks `used_at IS NULL` on the row it waited for, so only one of two wins.
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params(
                  "UPDATE invitations SET used_at = $1, used_by_guest_id = $2 "
                  "WHERE id = $3 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
                  now, guestId, id)
               .affected_rows() > 0;
  });
}

bool PostgresStore::unclaimInvitation(const std::string& id, const std::string& guestId) {
  if (guestId.empty()) {
    return false;  // "" is what an unused invitation holds
  }
  return db_->transact([&](pqxx::work& txn) {
    bool unclaimed = txn.exec_params(
                            "UPDATE invitations SET used_at = NULL, used_by_guest_id = '' "
                            "WHERE id = $1 AND used_by_guest_id = $2",
                            id, guestId)
                         .affected_rows() > 0;
    txn.exec_params("DELETE FROM guests WHERE id = $1 AND invitation_id = $2", guestId, id);
    return unclaimed;
  });
}

// The system's revocations also clear `revocation` (already revoked rows included): a
// user's revocation or a cancel pending its event must not be undone once the system
// meant the invitation revoked (end of consultation, erasure).
bool PostgresStore::revokeInvitation(const std::string& id, UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) {
    auto revoked = txn.exec_params(
        "UPDATE invitations SET revoked_at = COALESCE(revoked_at, $1), revocation = '' WHERE id = $2", now, id);
    return revoked.affected_rows() > 0;
  });
}

int64_t PostgresStore::revokeRoomInvitations(const std::string& roomId, UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) {
    auto revoked = static_cast<int64_t>(
        txn.exec_params("UPDATE invitations SET revoked_at = $1 WHERE room_id = $2 AND revoked_at IS NULL AND used_at IS NULL", now,
                        roomId)
            .affected_rows());
    txn.exec_params("UPDATE invitations SET revocation = '' WHERE room_id = $1 AND revocation <> ''", roomId);
    return revoked;
  });
}

void PostgresStore::setAppointmentInvitationsExpiry(const std::string& appointmentId, UnixSeconds expiresAt) {
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params("UPDATE invitations SET expires_at = $1 WHERE appointment_id = $2", expiresAt, appointmentId);
  });
}

// Guests.

GuestRecord PostgresStore::createGuest(GuestRecord g) {
  if (g.id.empty()) {
    g.id = "g_" + randomHex(8);
  }
  if (g.identity.empty()) {
    g.identity = g.id;
  }
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(std::string("INSERT INTO guests (") + pg::kGuestColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    g.id, g.roomId, g.identity, g.role, g.state, g.tenantId, g.invitationId, g.createdAt,
                    g.updatedAt);
  });
  return g;
}

std::optional<GuestRecord> PostgresStore::findGuest(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kGuestColumns, "guests", "WHERE id = $1"), pg::readGuest, id);
  });
}

std::optional<GuestRecord> PostgresStore::findGuestByIdentity(const std::string& roomId, const std::string& identity) {
  return db_->transact([&](pqxx::work& txn) {
    return findOne(txn, select(pg::kGuestColumns, "guests", "WHERE room_id = $1 AND identity = $2"), pg::readGuest,
                   roomId, identity);
  });
}

bool PostgresStore::transitionRoomAppointment(const std::string& roomId, const std::string& expected,
                                              const std::string& next, UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE appointments SET status = $1, updated_at = $2 WHERE room_id = $3 AND status = $4",
                           next, now, roomId, expected)
               .affected_rows() > 0;
  });
}

bool PostgresStore::transitionGuest(const std::string& id, const std::string& expected, const std::string& next,
                                    UnixSeconds now) {
  // Compare-and-set in one statement: two hosts admitting at once both run it, the
  // second re-reads the row after the first commits and no longer matches.
  return db_->transact([&](pqxx::work& txn) {
    // SET reads the row as it was: a change of state keeps a pending add (Store::transitionGuest).
    return txn.exec_params("UPDATE guests SET state = $1, updated_at = $2, add_change = CASE WHEN state = $1 OR "
                           "add_change = '' OR add_change LIKE 'kept:%' THEN add_change ELSE 'kept:' || add_change "
                           "END WHERE id = $3 AND state = $4",
                           next, now, id, expected)
               .affected_rows() > 0;
  });
}

// Retention.

MetadataPurge PostgresStore::purgeMetadata(const std::string& tenantId, UnixSeconds cutoff) {
  // $1 tenant, $2 cutoff. The subqueries read the appointments table, so it goes last.
  static constexpr const char* kExpired = "SELECT id FROM appointments WHERE tenant_id = $1 AND end_at < $2";
  static constexpr const char* kRooms =
      "SELECT id FROM rooms WHERE tenant_id = $1 AND ended_at IS NOT NULL AND ended_at < $2 AND id NOT IN "
      "(SELECT room_id FROM appointments WHERE end_at >= $2) "
      "UNION SELECT room_id FROM appointments WHERE tenant_id = $1 AND end_at < $2";
  return db_->transact([&](pqxx::work& txn) {
    MetadataPurge purge;
    auto run = [&](const std::string& sql) {
      return static_cast<int64_t>(txn.exec_params(sql, tenantId, cutoff).affected_rows());
    };
    // FOR UPDATE: a concurrent reschedule of one of these rows waits for this transaction
    // (and then finds it gone) instead of moving it into the future after its room,
    // invitations and key were already deleted here.
    purge.appointmentIds = findAll(txn, std::string(kExpired) + " ORDER BY id FOR UPDATE",
                                   [](const pqxx::row& r) { return r[0].as<std::string>(); }, tenantId, cutoff);
    // Before the rooms: kRooms reads them.
    purge.qualitySamples = run(std::string("DELETE FROM quality_samples WHERE room_id IN (") + kRooms +
                               ") OR (tenant_id = $1 AND at < $2)");
    purge.guests = run(std::string("DELETE FROM guests WHERE room_id IN (") + kRooms +
                       ") OR invitation_id IN (SELECT id FROM invitations WHERE appointment_id IN (" + kExpired +
                       "))");
    purge.invitations = run(std::string("DELETE FROM invitations WHERE appointment_id IN (") + kExpired +
                            ") OR room_id IN (" + kRooms + ")");
    purge.rooms = run(std::string("DELETE FROM rooms WHERE id IN (") + kRooms + ")");
    purge.appointments = run("DELETE FROM appointments WHERE tenant_id = $1 AND end_at < $2");
    return purge;
  });
}

}  // namespace medrtc::store
