// SqliteStore's request-keyed appointment writes (migration 8, store.hpp "Reschedule") and
// the staff add (addStaffGuest):
// conditional changes from the store pool's thread and their undos. Each runs in one
// BEGIN IMMEDIATE transaction, so its read and its write see the same row.
#include <sqlite3.h>

#include <optional>
#include <string>

#include "store/sqlite_statement.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::store {

namespace {

using sqlite::Statement;

// The appointment's room id; nullopt for an unknown appointment.
std::optional<std::string> roomOfAppointment(sqlite3* db, const std::string& id) {
  Statement read(db, "SELECT room_id FROM appointments WHERE id = ?");
  read.bind(1, id);
  if (!read.step()) {
    return std::nullopt;
  }
  return read.text(0);
}

template <class F>
auto inTransaction(sqlite3* db, F work) {
  Statement(db, "BEGIN IMMEDIATE").run();
  try {
    auto out = work();
    Statement(db, "COMMIT").run();
    return out;
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace

std::optional<Rescheduled> SqliteStore::rescheduleAppointment(const Reschedule& r) {
  return inTransaction(db_, [&]() -> std::optional<Rescheduled> {
    Statement read(db_,
                   "SELECT time_change, updated_at, status, host_delegate_id FROM appointments WHERE id = ? AND "
                   "status <> 'cancelled' AND start_at = ? AND end_at = ?");
    read.bind(1, r.appointmentId).bind(2, r.fromStart).bind(3, r.fromEnd);
    if (!read.step()) {
      return std::nullopt;  // cancelled or moved meanwhile, or gone
    }
    Rescheduled previous{read.text(0), read.integer(1), r.now, read.text(2), read.text(3)};
    Statement write(db_, "UPDATE appointments SET start_at = ?, end_at = ?, updated_at = ?, time_change = ? WHERE id = ?");
    write.bind(1, r.start).bind(2, r.end).bind(3, r.now).bind(4, r.change).bind(5, r.appointmentId).run();
    Statement expiry(db_, "UPDATE invitations SET expires_at = ? WHERE appointment_id = ?");
    expiry.bind(1, r.invitationsExpireAt).bind(2, r.appointmentId).run();
    return previous;
  });
}

bool SqliteStore::undoReschedule(const std::string& id, const std::string& change, UnixSeconds start, UnixSeconds end,
                                 UnixSeconds invitationsExpireAt, const Rescheduled& replaced) {
  if (change.empty()) {
    return false;
  }
  return inTransaction(db_, [&] {
    // The update time goes back only while it is still this reschedule's stamp: a write
    // since keeps its own (a delegate grant's undo is keyed to it; store.hpp).
    Statement write(db_,
                    "UPDATE appointments SET start_at = ?1, end_at = ?2, time_change = ?3, updated_at = CASE WHEN "
                    "updated_at = ?4 AND status = ?5 AND host_delegate_id = ?6 THEN ?7 ELSE updated_at END WHERE "
                    "id = ?8 AND time_change = ?9");
    write.bind(1, start)
        .bind(2, end)
        .bind(3, replaced.previousChange)
        .bind(4, replaced.at)
        .bind(5, replaced.status)
        .bind(6, replaced.hostDelegateId)
        .bind(7, replaced.previousUpdate)
        .bind(8, id)
        .bind(9, change)
        .run();
    if (sqlite3_changes(db_) == 0) {
      return false;
    }
    Statement expiry(db_, "UPDATE invitations SET expires_at = ? WHERE appointment_id = ?");
    expiry.bind(1, invitationsExpireAt).bind(2, id).run();
    return true;
  });
}

Cancellation SqliteStore::cancelAppointment(const std::string& id, const std::string& by, const std::string& change,
                                            UnixSeconds now) {
  return inTransaction(db_, [&] {
    Cancellation out;
    std::string roomId;
    std::string pending;
    {
      Statement read(db_, "SELECT status, updated_at, room_id, status_change FROM appointments WHERE id = ?");
      read.bind(1, id);
      if (!read.step()) {
        return out;
      }
      out.previousStatus = read.text(0);
      out.previousUpdate = read.integer(1);
      roomId = read.text(2);
      pending = read.text(3);
    }
    if (out.previousStatus == "cancelled") {
      // This caller is told it is cancelled: the cancel pending its event stands now, and
      // this caller audits it (kAdopted), as that event may still fail.
      Statement pin(db_, "UPDATE appointments SET status_change = '' WHERE id = ?");
      pin.bind(1, id).run();
      out.outcome = pending.empty() ? CancelOutcome::kAlreadyCancelled : CancelOutcome::kAdopted;
      return out;
    }
    Statement write(db_,
                    "UPDATE appointments SET status = 'cancelled', updated_at = ?, status_change = ? WHERE id = ? AND "
                    "status = ?");
    write.bind(1, now).bind(2, change).bind(3, id).bind(4, out.previousStatus).run();
    Statement revoke(db_,
                     "UPDATE invitations SET revoked_at = ?, revoked_by = ?, revocation = ? WHERE room_id = ? AND "
                     "revoked_at IS NULL AND used_at IS NULL");
    revoke.bind(1, now).bind(2, by).bind(3, change).bind(4, roomId).run();
    Statement end(db_, "UPDATE rooms SET ended_at = ?, end_change = ? WHERE id = ? AND ended_at IS NULL");
    end.bind(1, now).bind(2, change).bind(3, roomId).run();
    out.roomEndedAt = sqlite3_changes(db_) > 0 ? now : 0;
    out.outcome = CancelOutcome::kCancelled;
    return out;
  });
}

bool SqliteStore::undoCancel(const std::string& id, const std::string& change, const std::string& previousStatus,
                             UnixSeconds previousUpdate, UnixSeconds roomEndedAt) {
  if (change.empty()) {
    return false;
  }
  return inTransaction(db_, [&] {
    std::optional<std::string> room = roomOfAppointment(db_, id);
    if (!room) {
      return false;
    }
    const std::string& roomId = *room;
    Statement write(db_,
                    "UPDATE appointments SET status = ?, updated_at = ?, status_change = '' WHERE id = ? AND "
                    "status = 'cancelled' AND status_change = ?");
    write.bind(1, previousStatus).bind(2, previousUpdate).bind(3, id).bind(4, change).run();
    if (sqlite3_changes(db_) == 0) {
      return false;
    }
    // The same set the cancel revoked: its room's.
    Statement unrevoke(db_,
                       "UPDATE invitations SET revoked_at = NULL, revoked_by = '', revocation = '' WHERE "
                       "room_id = ? AND revocation = ?");
    unrevoke.bind(1, roomId).bind(2, change).run();
    if (roomEndedAt != 0) {
      // Only the cancel's own end: an end by anyone since cleared end_change.
      Statement reopen(db_, "UPDATE rooms SET ended_at = NULL, end_change = '' WHERE id = ? AND end_change = ?");
      reopen.bind(1, roomId).bind(2, change).run();
    }
    return true;
  });
}

std::optional<Revocation> SqliteStore::revokeInvitationBy(const std::string& id, const std::string& by,
                                                          const std::string& change, UnixSeconds now) {
  return inTransaction(db_, [&]() -> std::optional<Revocation> {
    Revocation out;
    {
      Statement read(db_, "SELECT revoked_at, revoked_by, revocation FROM invitations WHERE id = ?");
      read.bind(1, id);
      if (!read.step()) {
        return std::nullopt;
      }
      if (!read.isNull(0)) {
        out.at = read.integer(0);
        out.by = read.text(1);
        out.adopted = !read.text(2).empty();
      }
    }
    if (out.at != 0) {
      // This caller is told it is revoked: the revocation pending its event stands now,
      // and this caller audits it (adopted), as that event may still fail.
      Statement pin(db_, "UPDATE invitations SET revocation = '' WHERE id = ?");
      pin.bind(1, id).run();
      return out;
    }
    Statement write(db_, "UPDATE invitations SET revoked_at = ?, revoked_by = ?, revocation = ? WHERE id = ?");
    write.bind(1, now).bind(2, by).bind(3, change).bind(4, id).run();
    return Revocation{true, false, now, by};
  });
}

bool SqliteStore::unrevokeInvitation(const std::string& id, const std::string& change) {
  if (change.empty()) {
    return false;
  }
  Statement s(db_,
              "UPDATE invitations SET revoked_at = NULL, revoked_by = '', revocation = '' WHERE id = ? AND "
              "revocation = ?");
  s.bind(1, id).bind(2, change).run();
  return sqlite3_changes(db_) > 0;
}

void SqliteStore::settleChange(SettledChange what, const std::string& id, const std::string& change) {
  if (change.empty()) {
    return;
  }
  if (what == SettledChange::kRevocation) {
    Statement settle(db_, "UPDATE invitations SET revocation = '' WHERE id = ? AND revocation = ?");
    settle.bind(1, id).bind(2, change).run();
    return;
  }
  if (what == SettledChange::kStaffAdd) {
    // Also where a change of state kept it (transitionGuest's "kept:" mark): its event is
    // durable now all the same.
    Statement settle(db_, "UPDATE guests SET add_change = '' WHERE id = ?1 AND add_change IN (?2, 'kept:' || ?2)");
    settle.bind(1, id).bind(2, change).run();
    return;
  }
  inTransaction(db_, [&] {
    for (const char* sql : {"UPDATE invitations SET revocation = '' WHERE room_id = (SELECT room_id FROM appointments "
                            "WHERE id = ?1) AND revocation = ?2",
                            "UPDATE appointments SET status_change = '' WHERE id = ?1 AND status_change = ?2"}) {
      Statement(db_, sql).bind(1, id).bind(2, change).run();
    }
    return true;
  });
}

bool SqliteStore::deleteAppointment(const std::string& id) {
  return inTransaction(db_, [&] {
    std::optional<std::string> room = roomOfAppointment(db_, id);
    if (!room) {
      return false;
    }
    const std::string& roomId = *room;
    for (const char* sql : {"DELETE FROM quality_samples WHERE room_id = ?", "DELETE FROM guests WHERE room_id = ?",
                            "DELETE FROM invitations WHERE room_id = ?"}) {
      Statement(db_, sql).bind(1, roomId).run();
    }
    Statement(db_, "DELETE FROM appointments WHERE id = ?").bind(1, id).run();
    Statement(db_, "DELETE FROM rooms WHERE id = ?").bind(1, roomId).run();
    return true;
  });
}

StaffAdd SqliteStore::addStaffGuest(const GuestRecord& staff, const std::string& change, UnixSeconds now) {
  return inTransaction(db_, [&] {
    StaffAdd out;
    std::string state;
    std::string pending;
    {
      Statement read(db_, "SELECT id, state, add_change FROM guests WHERE room_id = ? AND identity = ?");
      read.bind(1, staff.roomId).bind(2, staff.identity);
      if (!read.step()) {
        GuestRecord n = staff;
        n.state = "waiting";
        n.createdAt = now;
        n.updatedAt = now;
        n = createGuest(n);
        Statement key(db_, "UPDATE guests SET add_change = ? WHERE id = ?");
        key.bind(1, change).bind(2, n.id).run();
        return StaffAdd{StaffAddOutcome::kAdded, n.id, "removed"};
      }
      out.guestId = read.text(0);
      state = read.text(1);
      pending = read.text(2);
    }
    if (state == "denied" || state == "removed") {
      Statement write(db_, "UPDATE guests SET state = 'waiting', updated_at = ?, add_change = ? WHERE id = ?");
      write.bind(1, now).bind(2, change).bind(3, out.guestId).run();
      return StaffAdd{StaffAddOutcome::kAdded, out.guestId, state};
    }
    // Added already: a pending add stands now (this caller is told so and audits it). It
    // stays pending, keyed to this caller, until this caller's event settles it: the first
    // request's undo misses, and should this event fail too, a later repeat still audits
    // it. A waiting record with no place in the line (0, forgetQueuePlace) gets one now.
    Statement pin(db_,
                  "UPDATE guests SET add_change = ?, updated_at = CASE WHEN state = 'waiting' AND updated_at = 0 "
                  "THEN ? ELSE updated_at END WHERE id = ?");
    pin.bind(1, pending.empty() ? std::string() : change).bind(2, now).bind(3, out.guestId).run();
    out.outcome = pending.empty() ? StaffAddOutcome::kAlreadyAdded : StaffAddOutcome::kAdopted;
    return out;
  });
}

bool SqliteStore::undoStaffAdd(const std::string& guestId, const std::string& change, const std::string& previous,
                               UnixSeconds now) {
  if (change.empty()) {
    return false;
  }
  Statement s(db_,
              "UPDATE guests SET state = ?, updated_at = ?, add_change = '' WHERE id = ? AND state = 'waiting' AND "
              "add_change = ?");
  s.bind(1, previous).bind(2, now).bind(3, guestId).bind(4, change).run();
  return sqlite3_changes(db_) > 0;
}

}  // namespace medrtc::store
