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
#include "log/log.hpp"
#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"

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

// Puts back what markAdded changed, given the record before it (its audit failed).
// Guest records are not deleted: one created just now becomes "removed", which is "not
// added" (stillAdded), and adding again moves it back to waiting.
void unmarkAdded(store::Store& store, const std::optional<store::GuestRecord>& before, const std::string& roomId,
                 const std::string& staffId, int64_t now) {
  if (before && !(before->state == "denied" || before->state == "removed")) {
    return;  // added already: markAdded changed nothing
  }
  if (auto g = store.findGuestByIdentity(roomId, staffId)) {
    store.transitionGuest(g->id, "waiting", before ? before->state : "removed", now);
  }
}

}  // namespace

// The staff members the host may add: ids and names of this practice's active staff only
// (no emails, no other roles), and whether each is added already.
HttpResponse RestApi::listStaff(const HttpRequest&, const Params& p) {
  auto a = appointments_.hostable(*p.session, p.id);
  if (!a) {
    return clinicFailure(a.error());
  }
  json::array list;
  // listUsers() reads (and unseals) every tenant's users: linear in the node's accounts.
  // Fine for a practice's node; a store query by tenant is the step when one node holds
  // many practices (a new Store virtual in both backends, left out of this change).
  for (const store::UserRecord& u : store_.listUsers()) {
    if (u.tenantId != p.session->tenant.id || u.role != "staff" || u.disabled || u.erased) {
      continue;
    }
    list.push_back(json::object{{"id", u.id},
                                {"display_name", u.displayName},
                                {"added", stillAdded(store_.findGuestByIdentity(a->roomId, u.id))}});
  }
  return jsonResponse(200, json::object{{"staff", std::move(list)}});
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
  // Another tenant's appointment: 404 like an unknown one; not its host: 403.
  auto a = appointments_.hostable(*p.session, p.id);
  if (!a) {
    return clinicFailure(a.error());
  }
  // Only a staff member of this practice: anyone else answers as an unknown id would.
  auto staff = store_.findUser(*userId);
  if (!staff || staff->tenantId != p.session->tenant.id || staff->role != "staff" || staff->disabled) {
    return problem(404, "user_not_found", "no such staff member in this practice");
  }
  auto room = store_.findRoom(a->roomId);
  if (!room || room->ended()) {
    return problem(409, "room_ended", "the consultation has ended");
  }
  if (auto refused = refuseNewCall(room->id)) {
    return *refused;
  }
  // No join token here: one minted for the staff identity without a sign-in session would
  // let whoever holds it in (also after the staff member is disabled, erased or signed
  // out), untouched by the session recheck. The staff member buys their own,
  // session-bound one with POST …/staff-token. `expires_at` says until when they can.
  int64_t until = a->end + appointments_.policy().invitationGraceSeconds - nowSeconds();
  int64_t expiresAt = nowSeconds() + std::clamp<int64_t>(until, 60, kMaxTokenTtl.count());
  // Stored first, then audited; an audit that fails undoes the mark (fail closed, H6, as
  // createWebhook does), so neither a mark without its record nor a record of an add that
  // did not happen is left.
  auto before = store_.findGuestByIdentity(room->id, staff->id);
  markAdded(*room, staff->id);
  namespace cp = compliance;
  try {
    clinic::audit(audit_, clinic::AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Create,
                                             cp::AuditOutcome::Success, "staff_added", "", p.session->user.id,
                                             p.session->user.role, "", "Appointment/" + a->id,
                                             "Practitioner/" + staff->id, std::nullopt});
  } catch (...) {
    unmarkAdded(store_, before, room->id, staff->id, nowSeconds());
    throw;
  }
  log::info("staff_added", {{"room", a->roomId}, {"user", staff->id}, {"by", p.session->user.id}});
  return jsonResponse(201, json::object{{"room_id", a->roomId}, {"expires_at", formatTimestamp(expiresAt)}});
}

// A host who adds someone they denied or removed earlier changes their mind: back to
// waiting.
void RestApi::markAdded(const store::RoomRecord& room, const std::string& staffId) {
  auto g = store_.findGuestByIdentity(room.id, staffId);
  int64_t now = nowSeconds();
  if (!g) {
    store::GuestRecord n;
    n.roomId = room.id;
    n.identity = staffId;
    n.role = "staff";
    n.state = "waiting";
    n.tenantId = room.tenantId;
    n.createdAt = now;
    n.updatedAt = now;
    try {
      store_.createGuest(n);
      return;
    } catch (const store::StoreConflict&) {
      // The practitioner and their delegate added the same person at once: it is marked.
      g = store_.findGuestByIdentity(room.id, staffId);
      if (!g) {
        throw;
      }
    }
  }
  if (g->state == "denied" || g->state == "removed") {
    store_.transitionGuest(g->id, g->state, "waiting", now);
  }
}

// The staff member's own consultations: those a host added them to that still run or are
// about to. Ids, times and the practitioner's name only (no title, no patient).
HttpResponse RestApi::listStaffConsultations(const HttpRequest&, const Params& p) {
  const store::UserRecord& me = p.session->user;
  if (me.role != "staff") {
    return problem(403, "forbidden", "only staff members are added to consultations");
  }
  int64_t now = nowSeconds();
  int64_t grace = appointments_.policy().invitationGraceSeconds;
  constexpr int64_t kDay = 24 * 3600;
  json::array list;
  for (const store::AppointmentRecord& a : store_.listAppointments(me.tenantId, now - kDay, now + kDay)) {
    if (a.status == "cancelled" || a.status == "fulfilled" || now >= a.end + grace) {
      continue;
    }
    auto room = store_.findRoom(a.roomId);
    auto guest = room && !room->ended() ? store_.findGuestByIdentity(a.roomId, me.id) : std::nullopt;
    if (!stillAdded(guest)) {
      continue;
    }
    auto doctor = store_.findUser(a.practitionerId);
    list.push_back(json::object{{"appointment_id", a.id},
                                {"start", formatTimestamp(a.start)},
                                {"end", formatTimestamp(a.end)},
                                {"practitioner", doctor ? doctor->displayName : ""},
                                {"state", guest->state}});
  }
  return jsonResponse(200, json::object{{"consultations", std::move(list)}});
}

// The added staff member's join token, bought with their own sign-in session (dead after
// sign-out, like a host token). The waiting room still decides when they are let in.
HttpResponse RestApi::staffToken(const HttpRequest&, const Params& p) {
  const store::UserRecord& me = p.session->user;
  auto a = appointments_.get(*p.session, p.id);
  if (!a) {
    return clinicFailure(a.error());
  }
  if (me.role != "staff" || !stillAdded(store_.findGuestByIdentity(a->roomId, me.id))) {
    return problem(403, "not_added", "the consultation's host has not added you to it");
  }
  if (a->status == "cancelled" || a->status == "fulfilled" ||
      nowSeconds() >= a->end + appointments_.policy().invitationGraceSeconds) {
    return problem(409, "appointment_over", "the consultation is over");
  }
  auto room = store_.findRoom(a->roomId);
  if (!room || room->ended()) {
    return problem(409, "room_ended", "the consultation has ended");
  }
  if (auto refused = refuseNewCall(room->id)) {
    return *refused;
  }
  JoinClaims claims;
  claims.roomId = a->roomId;
  claims.identity = me.id;
  claims.name = me.displayName.empty() ? "Staff" : me.displayName;
  claims.role = "staff";
  claims.appointmentId = a->id;
  claims.sessionHash = p.session->session.idHash;
  int64_t until = a->end + appointments_.policy().invitationGraceSeconds - nowSeconds();
  auto ttl = std::chrono::seconds(std::clamp<int64_t>(until, 60, kMaxTokenTtl.count()));
  JoinClaims issued;
  std::string token = tokens_.issue(std::move(claims), ttl, &issued);
  log::info("token_issued", {{"room", a->roomId}, {"token", issued.tokenId}, {"role", "staff"}, {"user", me.id}});
  return jsonResponse(200, json::object{{"token", token},
                                        {"url", "/call/" + a->roomId + "#t=" + token},
                                        {"room_id", a->roomId},
                                        {"expires_at", formatTimestamp(issued.expiresAt)}});
}

}  // namespace medrtc::signaling
