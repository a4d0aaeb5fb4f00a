// PostgresStore's request-keyed appointment writes (migration 8, store.hpp "Reschedule") and
// the staff add (addStaffGuest):
// conditional changes from the store pool's threads and their undos. Each is one
// transaction whose read locks the row (FOR UPDATE), so another node's or the control
// thread's write to it waits for this one and then sees it.
#include "common/random.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres_store.hpp"

namespace medrtc::store {

std::optional<Rescheduled> PostgresStore::rescheduleAppointment(const Reschedule& r) {
  return db_->transact([&](pqxx::work& txn) -> std::optional<Rescheduled> {
    auto rows = txn.exec_params(
        "SELECT time_change, updated_at, status, host_delegate_id FROM appointments WHERE id = $1 AND "
        "status <> 'cancelled' AND start_at = $2 AND end_at = $3 FOR UPDATE",
        r.appointmentId, r.fromStart, r.fromEnd);
    if (rows.empty()) {
      return std::nullopt;  // cancelled or moved meanwhile, or gone
    }
    Rescheduled previous{rows[0][0].as<std::string>(), rows[0][1].as<int64_t>(), r.now, rows[0][2].as<std::string>(),
                         rows[0][3].as<std::string>()};
    txn.exec_params("UPDATE appointments SET start_at = $1, end_at = $2, updated_at = $3, time_change = $4 WHERE id = $5",
                    r.start, r.end, r.now, r.change, r.appointmentId);
    txn.exec_params("UPDATE invitations SET expires_at = $1 WHERE appointment_id = $2", r.invitationsExpireAt,
                    r.appointmentId);
    return previous;
  });
}

bool PostgresStore::undoReschedule(const std::string& id, const std::string& change, UnixSeconds start,
                                   UnixSeconds end, UnixSeconds invitationsExpireAt,
                                   const Rescheduled& replaced) {
  if (change.empty()) {
    return false;
  }
  return db_->transact([&](pqxx::work& txn) {
    // The update time goes back only while it is still this reschedule's stamp: a write
    // since keeps its own (a delegate grant's undo is keyed to it; store.hpp).
    if (txn.exec_params("UPDATE appointments SET start_at = $1, end_at = $2, time_change = $3, updated_at = CASE "
                        "WHEN updated_at = $4 AND status = $5 AND host_delegate_id = $6 THEN $7 ELSE updated_at END "
                        "WHERE id = $8 AND time_change = $9",
                        start, end, replaced.previousChange, replaced.at, replaced.status, replaced.hostDelegateId,
                        replaced.previousUpdate, id, change)
            .affected_rows() == 0) {
      return false;
    }
    txn.exec_params("UPDATE invitations SET expires_at = $1 WHERE appointment_id = $2", invitationsExpireAt, id);
    return true;
  });
}

Cancellation PostgresStore::cancelAppointment(const std::string& id, const std::string& by, const std::string& change,
                                              UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) {
    Cancellation out;
    auto rows = txn.exec_params(
        "SELECT status, updated_at, room_id, status_change FROM appointments WHERE id = $1 FOR UPDATE", id);
    if (rows.empty()) {
      return out;
    }
    out.previousStatus = rows[0][0].as<std::string>();
    out.previousUpdate = rows[0][1].as<int64_t>();
    std::string roomId = rows[0][2].as<std::string>();
    if (out.previousStatus == "cancelled") {
      // This caller is told it is cancelled: the cancel pending its event stands now, and
      // this caller audits it (kAdopted), as that event may still fail.
      txn.exec_params("UPDATE appointments SET status_change = '' WHERE id = $1", id);
      out.outcome = rows[0][3].as<std::string>().empty() ? CancelOutcome::kAlreadyCancelled : CancelOutcome::kAdopted;
      return out;
    }
    txn.exec_params("UPDATE appointments SET status = 'cancelled', updated_at = $1, status_change = $2 WHERE id = $3",
                    now, change, id);
    txn.exec_params("UPDATE invitations SET revoked_at = $1, revoked_by = $2, revocation = $3 WHERE room_id = $4 AND "
                    "revoked_at IS NULL AND used_at IS NULL",
                    now, by, change, roomId);
    auto ended = txn.exec_params(
        "UPDATE rooms SET ended_at = $1, end_change = $2 WHERE id = $3 AND ended_at IS NULL", now, change, roomId);
    out.roomEndedAt = ended.affected_rows() > 0 ? now : 0;
    out.outcome = CancelOutcome::kCancelled;
    return out;
  });
}

bool PostgresStore::undoCancel(const std::string& id, const std::string& change, const std::string& previousStatus,
                               UnixSeconds previousUpdate, UnixSeconds roomEndedAt) {
  if (change.empty()) {
    return false;
  }
  return db_->transact([&](pqxx::work& txn) {
    auto rows = txn.exec_params(
        "UPDATE appointments SET status = $1, updated_at = $2, status_change = '' WHERE id = $3 AND "
        "status = 'cancelled' AND status_change = $4 RETURNING room_id",
        previousStatus, previousUpdate, id, change);
    if (rows.empty()) {
      return false;
    }
    std::string roomId = rows[0][0].as<std::string>();
    // The same set the cancel revoked: its room's.
    txn.exec_params("UPDATE invitations SET revoked_at = NULL, revoked_by = '', revocation = '' WHERE "
                    "room_id = $1 AND revocation = $2",
                    roomId, change);
    if (roomEndedAt != 0) {
      // Only the cancel's own end: an end by anyone since cleared end_change.
      txn.exec_params("UPDATE rooms SET ended_at = NULL, end_change = '' WHERE id = $1 AND end_change = $2", roomId,
                      change);
    }
    return true;
  });
}

std::optional<Revocation> PostgresStore::revokeInvitationBy(const std::string& id, const std::string& by,
                                                            const std::string& change, UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) -> std::optional<Revocation> {
    auto rows =
        txn.exec_params("SELECT revoked_at, revoked_by, revocation FROM invitations WHERE id = $1 FOR UPDATE", id);
    if (rows.empty()) {
      return std::nullopt;
    }
    if (!rows[0][0].is_null()) {
      // This caller is told it is revoked: the revocation pending its event stands now,
      // and this caller audits it (adopted), as that event may still fail.
      txn.exec_params("UPDATE invitations SET revocation = '' WHERE id = $1", id);
      return Revocation{false, !rows[0][2].as<std::string>().empty(), rows[0][0].as<int64_t>(),
                        rows[0][1].as<std::string>()};
    }
    txn.exec_params("UPDATE invitations SET revoked_at = $1, revoked_by = $2, revocation = $3 WHERE id = $4", now, by,
                    change, id);
    return Revocation{true, false, now, by};
  });
}

bool PostgresStore::unrevokeInvitation(const std::string& id, const std::string& change) {
  if (change.empty()) {
    return false;
  }
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE invitations SET revoked_at = NULL, revoked_by = '', revocation = '' WHERE id = $1 "
                           "AND revocation = $2",
                           id, change)
               .affected_rows() > 0;
  });
}

void PostgresStore::settleChange(SettledChange what, const std::string& id, const std::string& change) {
  if (change.empty()) {
    return;
  }
  db_->transact([&](pqxx::work& txn) {
    if (what == SettledChange::kRevocation) {
      txn.exec_params("UPDATE invitations SET revocation = '' WHERE id = $1 AND revocation = $2", id, change);
      return;
    }
    if (what == SettledChange::kStaffAdd) {
      // Also where a change of state kept it (transitionGuest's "kept:" mark): its event is
      // durable now all the same.
      txn.exec_params("UPDATE guests SET add_change = '' WHERE id = $1 AND add_change IN ($2, 'kept:' || $2)", id,
                      change);
      return;
    }
    for (const char* sql : {"UPDATE invitations SET revocation = '' WHERE room_id = (SELECT room_id FROM appointments "
                            "WHERE id = $1) AND revocation = $2",
                            "UPDATE appointments SET status_change = '' WHERE id = $1 AND status_change = $2"}) {
      txn.exec_params(sql, id, change);
    }
  });
}

bool PostgresStore::deleteAppointment(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    auto rows = txn.exec_params("SELECT room_id FROM appointments WHERE id = $1 FOR UPDATE", id);
    if (rows.empty()) {
      return false;
    }
    std::string roomId = rows[0][0].as<std::string>();
    for (const char* sql : {"DELETE FROM quality_samples WHERE room_id = $1", "DELETE FROM guests WHERE room_id = $1",
                            "DELETE FROM invitations WHERE room_id = $1"}) {
      txn.exec_params(sql, roomId);
    }
    txn.exec_params("DELETE FROM appointments WHERE id = $1", id);
    txn.exec_params("DELETE FROM rooms WHERE id = $1", roomId);
    return true;
  });
}

StaffAdd PostgresStore::addStaffGuest(const GuestRecord& staff, const std::string& change, UnixSeconds now) {
  return db_->transact([&](pqxx::work& txn) {
    auto rows = txn.exec_params(
        "SELECT id, state, add_change FROM guests WHERE room_id = $1 AND identity = $2 FOR UPDATE", staff.roomId,
        staff.identity);
    if (rows.empty()) {
      // Another node's first add at the same time: the unique (room, identity) makes one
      // of the two throw StoreConflict.
      std::string id = "g_" + randomHex(8);
      txn.exec_params(
          "INSERT INTO guests (id, room_id, identity, role, state, tenant_id, invitation_id, created_at, updated_at, "
          "add_change) VALUES ($1, $2, $3, $4, 'waiting', $5, $6, $7, $7, $8)",
          id, staff.roomId, staff.identity, staff.role, staff.tenantId, staff.invitationId, now, change);
      return StaffAdd{StaffAddOutcome::kAdded, id, "removed"};
    }
    std::string id = rows[0][0].as<std::string>();
    std::string state = rows[0][1].as<std::string>();
    if (state == "denied" || state == "removed") {
      txn.exec_params("UPDATE guests SET state = 'waiting', updated_at = $1, add_change = $2 WHERE id = $3", now,
                      change, id);
      return StaffAdd{StaffAddOutcome::kAdded, id, state};
    }
    // Added already: a pending add stands now (this caller is told so and audits it). It
    // stays pending, keyed to this caller, until this caller's event settles it: the first
    // request's undo misses, and should this event fail too, a later repeat still audits
    // it. A waiting record with no place in the line (0, forgetQueuePlace) gets one now.
    bool pending = !rows[0][2].as<std::string>().empty();
    txn.exec_params(
        "UPDATE guests SET add_change = $1, updated_at = CASE WHEN state = 'waiting' AND updated_at = 0 THEN $2 "
        "ELSE updated_at END WHERE id = $3",
        pending ? change : std::string(), now, id);
    return StaffAdd{pending ? StaffAddOutcome::kAdopted : StaffAddOutcome::kAlreadyAdded, id, ""};
  });
}

bool PostgresStore::undoStaffAdd(const std::string& guestId, const std::string& change, const std::string& previous,
                                 UnixSeconds now) {
  if (change.empty()) {
    return false;
  }
  return db_->transact([&](pqxx::work& txn) {
    return txn.exec_params("UPDATE guests SET state = $1, updated_at = $2, add_change = '' WHERE id = $3 AND "
                           "state = 'waiting' AND add_change = $4",
                           previous, now, guestId, change)
               .affected_rows() > 0;
  });
}

}  // namespace medrtc::store
