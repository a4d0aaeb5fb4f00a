// KBV K5, server side: the appointment's host (its practitioner or delegate) adds a staff
// member of the same practice to the consultation. The staff member then buys a join
// token with their own sign-in session (POST …/staff-token), joins through the waiting
// room like every other guest and is let in by the host. Staff never host (their
// token's role is "staff").
//
// "Added" is the staff member's guest record in the consultation's room (role "staff",
// state waiting): the same admission state an invited patient has once they redeem, so it
// outlives sockets and restarts and needs no table of its own. The staff member's
// dashboard lists the consultations it marks and buys a token for them with its own
// sign-in session; a staff member without one is refused (403 not_added).

#include <algorithm>

#include "clinic/clinic_audit.hpp"
#include "common/random.hpp"
#include "log/log.hpp"
#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"
#include "signaling/settled_change.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

HttpResponse clinicFailure(const clinic::ClinicFailure& f) {
  return problem(f.error == clinic::ClinicError::kNotFound    ? 404
                 : f.error == clinic::ClinicError::kForbidden ? 403
                 : f.error == clinic::ClinicError::kCancelled ? 409
                                                              : 400,
                 f.code, f.detail);
}

// A staff member may still come in: added and neither denied nor removed since.
bool stillAdded(const std::optional<store::GuestRecord>& g) {
  return g && g->role == "staff" && (g->state == "waiting" || g->state == "admitted");
}

// What markAdded stored, for the audit and its undo: keyed to the request by a random id
// written with the add (guests.add_change, migration 8), so that the undo takes back this
// add and nothing another request was told of since; the waiting line's bookkeeping
// (updated_at) leaves the key alone.
struct StaffMark {
  store::StaffAdd add;
  std::string change;  // this request's id
};

// A host who adds someone they denied or removed earlier changes their mind: back to
// waiting. One added already keeps its place in the line; an add of another request
// still pending its event (or never audited) can then no longer be undone (this request
// is told the staff member is added) and this request audits it too (kAdopted).
StaffMark markAdded(store::Store& store, const store::RoomRecord& room, const std::string& staffId, int64_t now) {
  store::GuestRecord n;
  n.roomId = room.id;
  n.identity = staffId;
  n.role = "staff";
  n.tenantId = room.tenantId;
  std::string change = "c_" + randomHex(8);
  try {
    return StaffMark{store.addStaffGuest(n, change, now), change};
  } catch (const store::StoreConflict&) {
    // The practitioner and their delegate added the same person at once, on two nodes:
    // the record is there now.
    return StaffMark{store.addStaffGuest(n, change, now), change};
  }
}

// Puts back what markAdded changed (its audit failed), only while the record is still
// this request's add. Guest records are not deleted: one created just now becomes
// "removed", which is "not added" (stillAdded), and adding again moves it back to
// waiting. True when this call changed it.
bool unmarkAdded(store::Store& store, const StaffMark& mark, int64_t now) {
  return mark.add.outcome == store::StaffAddOutcome::kAdded &&
         store.undoStaffAdd(mark.add.guestId, mark.change, mark.add.previous, now);
}

struct Hostable {
  Result<store::AppointmentRecord, clinic::ClinicFailure> appointment;
  std::optional<store::UserRecord> staff;
  std::optional<store::RoomRecord> room;
};

}  // namespace

// The staff members the host may add: ids and names of this practice's active staff only
// (no emails, no other roles), and whether each is added already. Read on the store pool.
HttpResponse RestApi::listStaff(const HttpRequest& r, const Params& p) {
  using Listed = Result<json::array, clinic::ClinicFailure>;
  return onStore<Listed>(
      r, p,
      [this, who = *p.session, id = p.id, now = nowSeconds()](store::Store& store) -> Listed {
        auto a = appointments_.hostable(store, who, id, now);
        if (!a) {
          return fail(a.error());
        }
        json::array list;
        // listUsers() reads (and unseals) every tenant's users: linear in the node's accounts.
        // Fine for a practice's node; a store query by tenant is the step when one node holds
        // many practices (a new Store virtual in both backends, left out of this change).
        for (const store::UserRecord& u : store.listUsers()) {
          if (u.tenantId != who.tenant.id || u.role != "staff" || u.disabled || u.erased) {
            continue;
          }
          list.push_back(json::object{{"id", u.id},
                                      {"display_name", u.displayName},
                                      {"added", stillAdded(store.findGuestByIdentity(a->roomId, u.id))}});
        }
        return list;
      },
      [](Listed& listed) {
        if (!listed) {
          return clinicFailure(listed.error());
        }
        return jsonResponse(200, json::object{{"staff", std::move(*listed)}});
      });
}

HttpResponse RestApi::addStaff(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto userId = stringMember(*body, "user_id", 1, 64, true, error, ok);
  if (!ok) {
    return error;
  }
  // The appointment, the staff member and the room are read on the store pool; the drain
  // check here; the mark stored on the pool again, then audited without blocking.
  return onStore<Hostable>(
      r, p,
      [this, who = *p.session, id = p.id, userId = *userId, now = nowSeconds()](store::Store& store) {
        Hostable h{appointments_.hostable(store, who, id, now), std::nullopt, std::nullopt};
        if (h.appointment) {
          h.staff = store.findUser(userId);
          h.room = store.findRoom(h.appointment->roomId);
        }
        return h;
      },
      [this, r, p](Hostable& h) {
        // Another tenant's appointment: 404 like an unknown one; not its host: 403.
        if (!h.appointment) {
          return clinicFailure(h.appointment.error());
        }
        // Only a staff member of this practice: anyone else answers as an unknown id would.
        const auto& staff = h.staff;
        if (!staff || staff->tenantId != p.session->tenant.id || staff->role != "staff" || staff->disabled) {
          return problem(404, "user_not_found", "no such staff member in this practice");
        }
        if (!h.room || h.room->ended()) {
          return problem(409, "room_ended", "the consultation has ended");
        }
        if (auto refused = refuseNewCall(h.room->id)) {
          return *refused;
        }
        return storeStaffMark(r, p, *h.appointment, *h.room, staff->id);
      });
}

HttpResponse RestApi::storeStaffMark(const HttpRequest& r, const Params& p, const store::AppointmentRecord& a,
                                     const store::RoomRecord& room, const std::string& staffId) {
  // No join token here: one minted for the staff identity without a sign-in session would
  // let whoever holds it in (also after the staff member is disabled, erased or signed
  // out), untouched by the session recheck. The staff member buys their own,
  // session-bound one with POST …/staff-token. `expires_at` says until when they can.
  int64_t until = a.end + appointments_.policy().invitationGraceSeconds - nowSeconds();
  int64_t expiresAt = nowSeconds() + std::clamp<int64_t>(until, 60, kMaxTokenTtl.count());
  return onStore<StaffMark>(
      r, p, [room, staffId, now = nowSeconds()](store::Store& store) { return markAdded(store, room, staffId, now); },
      [this, r, p, a, room, staffId, expiresAt](StaffMark& mark) {
        json::object answer{{"room_id", a.roomId}, {"expires_at", formatTimestamp(expiresAt)}};
        if (mark.add.outcome == store::StaffAddOutcome::kAlreadyAdded) {
          // Added, audited and settled before (a retried POST, or the other host's add):
          // nothing new to audit, the same answer. Only a durable event settles an add
          // (settleChange): one adopted, or kept by the waiting room, whose events all
          // failed is still pending here, and this request audits it (kAdopted).
          return jsonResponse(201, std::move(answer));
        }
        // Stored first, then audited; an event that fails undoes the mark (fail closed, H6),
        // so neither a mark without its record nor a record of an add that did not happen
        // is left. Once the event is durable the add is settled before the answer, so a
        // repeat finds it standing and audited (kAlreadyAdded) and writes no second event.
        namespace cp = compliance;
        clinic::AuditFacts event{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Create,
                                 cp::AuditOutcome::Success, "staff_added", "", p.session->user.id,
                                 p.session->user.role, "", "Appointment/" + a.id, "Practitioner/" + staffId,
                                 std::nullopt};
        return auditedOrUndone(
            r, p, event,
            [this, r, p, a, staffId, answer, mark, by = p.session->user.id] {
              log::info("staff_added", {{"room", a.roomId}, {"user", staffId}, {"by", by}});
              // An adopted add is keyed to this request too (addStaffGuest): settled alike.
              return settledThen(jobs_, RouteLabel{r.method, std::string(p.route)}, store::SettledChange::kStaffAdd,
                                 mark.add.guestId, mark.change, [answer] { return jsonResponse(201, answer); });
            },
            [mark, roomId = room.id, staffId, now = nowSeconds()](store::Store& store) {
              if (mark.add.outcome == store::StaffAddOutcome::kAdopted) {
                // Nothing of this request's to undo, and the first request's undo no
                // longer applies: the add stands, its events attempted and failed, until
                // a repeat add audits it (it stays pending, keyed to this request).
                log::error("staff_add_unaudited", {{"room", roomId}, {"user", staffId}, {"reason", "audit_failed"}});
              } else if (unmarkAdded(store, mark, now)) {
                log::error("staff_add_undone", {{"room", roomId}, {"user", staffId}, {"reason", "audit_failed"}});
              } else if (mark.add.outcome == store::StaffAddOutcome::kAdded) {
                log::warn("staff_add_undo_skipped", {{"room", roomId}, {"user", staffId}, {"reason", "changed_since"}});
              }
            },
            // A staff member who bought a token and joined while the add was being audited
            // leaves again.
            [this, roomId = room.id] { hub_.recheckRoom(roomId); });
      });
}

// The staff member's own consultations: those a host added them to that still run or are
// about to. Ids, times and the practitioner's name only (no title, no patient). Read on
// the store pool.
HttpResponse RestApi::listStaffConsultations(const HttpRequest& r, const Params& p) {
  const store::UserRecord& me = p.session->user;
  if (me.role != "staff") {
    return problem(403, "forbidden", "only staff members are added to consultations");
  }
  return onStore<json::array>(
      r, p,
      [me, now = nowSeconds(), grace = appointments_.policy().invitationGraceSeconds](store::Store& store) {
        constexpr int64_t kDay = 24 * 3600;
        json::array list;
        for (const store::AppointmentRecord& a : store.listAppointments(me.tenantId, now - kDay, now + kDay)) {
          if (a.status == "cancelled" || a.status == "fulfilled" || now >= a.end + grace) {
            continue;
          }
          auto room = store.findRoom(a.roomId);
          auto guest = room && !room->ended() ? store.findGuestByIdentity(a.roomId, me.id) : std::nullopt;
          if (!stillAdded(guest)) {
            continue;
          }
          auto doctor = store.findUser(a.practitionerId);
          list.push_back(json::object{{"appointment_id", a.id},
                                      {"start", formatTimestamp(a.start)},
                                      {"end", formatTimestamp(a.end)},
                                      {"practitioner", doctor ? doctor->displayName : ""},
                                      {"state", guest->state}});
        }
        return list;
      },
      [](json::array& list) { return jsonResponse(200, json::object{{"consultations", std::move(list)}}); });
}

// The added staff member's join token, bought with their own sign-in session (dead after
// sign-out, like a host token). The waiting room still decides when they are let in. The
// appointment, the mark and the room are read on the store pool; the token here.
HttpResponse RestApi::staffToken(const HttpRequest& r, const Params& p) {
  struct Found {
    Result<store::AppointmentRecord, clinic::ClinicFailure> appointment;
    bool added = false;
    std::optional<store::RoomRecord> room;
  };
  return onStore<Found>(
      r, p,
      [who = *p.session, id = p.id](store::Store& store) {
        Found f{clinic::AppointmentService::get(store, who, id), false, std::nullopt};
        if (f.appointment) {
          f.added = stillAdded(store.findGuestByIdentity(f.appointment->roomId, who.user.id));
          f.room = store.findRoom(f.appointment->roomId);
        }
        return f;
      },
      [this, p](Found& f) {
        const store::UserRecord& me = p.session->user;
        if (!f.appointment) {
          return clinicFailure(f.appointment.error());
        }
        const store::AppointmentRecord& a = *f.appointment;
        if (me.role != "staff" || !f.added) {
          return problem(403, "not_added", "the consultation's host has not added you to it");
        }
        if (a.status == "cancelled" || a.status == "fulfilled" ||
            nowSeconds() >= a.end + appointments_.policy().invitationGraceSeconds) {
          return problem(409, "appointment_over", "the consultation is over");
        }
        if (!f.room || f.room->ended()) {
          return problem(409, "room_ended", "the consultation has ended");
        }
        if (auto refused = refuseNewCall(f.room->id)) {
          return *refused;
        }
        JoinClaims claims;
        claims.roomId = a.roomId;
        claims.identity = me.id;
        claims.name = me.displayName.empty() ? "Staff" : me.displayName;
        claims.role = "staff";
        claims.appointmentId = a.id;
        claims.sessionHash = p.session->session.idHash;
        int64_t until = a.end + appointments_.policy().invitationGraceSeconds - nowSeconds();
        auto ttl = std::chrono::seconds(std::clamp<int64_t>(until, 60, kMaxTokenTtl.count()));
        JoinClaims issued;
        std::string token = tokens_.issue(std::move(claims), ttl, &issued);
        log::info("token_issued", {{"room", a.roomId}, {"token", issued.tokenId}, {"role", "staff"}, {"user", me.id}});
        return jsonResponse(200, json::object{{"token", token},
                                              {"url", "/call/" + a.roomId + "#t=" + token},
                                              {"room_id", a.roomId},
                                              {"expires_at", formatTimestamp(issued.expiresAt)}});
      });
}

}  // namespace medrtc::signaling
