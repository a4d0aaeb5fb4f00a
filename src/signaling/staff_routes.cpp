// KBV K5, server side: the appointment's host (its practitioner or delegate) adds a staff
// member of the same practice to the consultation. The server mints a join token for
// that staff member, who then joins through the waiting room like every other guest and
// is let in by the host. Staff never host (their token's role is "staff").

#include <algorithm>

#include "clinic/clinic_audit.hpp"
#include "log/log.hpp"
#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

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
    const clinic::ClinicFailure& f = a.error();
    return problem(f.error == clinic::ClinicError::kNotFound    ? 404
                   : f.error == clinic::ClinicError::kForbidden ? 403
                   : f.error == clinic::ClinicError::kCancelled ? 409
                                                                : 400,
                   f.code, f.detail);
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
  JoinClaims claims;
  claims.roomId = a->roomId;
  claims.identity = staff->id;
  claims.name = staff->displayName.empty() ? "Staff" : staff->displayName;
  claims.role = "staff";
  // Bound to the booking like an invitation: dead once it is cancelled, fulfilled or over.
  claims.appointmentId = a->id;
  int64_t until = a->end + appointments_.policy().invitationGraceSeconds - nowSeconds();
  auto ttl = std::chrono::seconds(std::clamp<int64_t>(until, 60, kMaxTokenTtl.count()));
  JoinClaims issued;
  std::string token = tokens_.issue(std::move(claims), ttl, &issued);
  namespace cp = compliance;
  // Fail closed (H6): when the audit fails, the token is not handed out.
  clinic::audit(audit_, clinic::AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Create,
                                           cp::AuditOutcome::Success, "staff_added", "token:" + issued.tokenId,
                                           p.session->user.id, p.session->user.role, "", "Appointment/" + a->id,
                                           "Practitioner/" + staff->id, std::nullopt});
  log::info("token_issued", {{"room", a->roomId}, {"token", issued.tokenId}, {"role", "staff"}, {"user", staff->id},
                            {"by", p.session->user.id}});
  return jsonResponse(201, json::object{{"token", token},
                                        {"url", "/call/" + a->roomId + "#t=" + token},
                                        {"room_id", a->roomId},
                                        {"expires_at", formatTimestamp(issued.expiresAt)}});
}

}  // namespace medrtc::signaling
