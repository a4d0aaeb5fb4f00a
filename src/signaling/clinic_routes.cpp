// The clinic workflow's REST routes (docs/consultation-api.md): sign-in with a cookie
// session, appointments, invitations and the patient's redeem. The services in
// src/clinic decide; this file only translates HTTP and JSON.
#include <spdlog/spdlog.h>
#include "log/log.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "clinic/fhir_appointment.hpp"
#include "clinic/password.hpp"
#include "clinic/rfc3339.hpp"
#include "clinic/secrets.hpp"
#include "signaling/deferred_response.hpp"
#include "signaling/control_metrics.hpp"
#include "signaling/problem.hpp"
#include "signaling/request_origin.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"
#include "signaling/settled_change.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

constexpr size_t kMaxEmailChars = 254;  // RFC 5321 §4.5.3.1.3 path limit
constexpr int kMaxRoomParticipants = 4;  // practitioner, patient, interpreter, carer
// The host's name for a practitioner without a display name (issue 10 item 4).
constexpr const char* kNeutralPractitionerName = "Practitioner";

// RFC 6265 §4.1.1 cookie-string: "a=b; c=d".
std::string cookieValue(const std::string& header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) {
      end = header.size();
    }
    std::string_view pair(header.data() + pos, end - pos);
    while (!pair.empty() && pair.front() == ' ') {
      pair.remove_prefix(1);
    }
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

std::string sessionCookie(const std::string& value, bool secure) {
  return std::string(clinic::kSessionCookie) + "=" + value + "; HttpOnly; SameSite=Strict; Path=/" +
         (secure ? "; Secure" : "");
}

// Sent back only to the sign-in routes, never to script (HttpOnly) or other sites
// (SameSite=Strict): it only tells sign-in that this browser completed one before.
std::string deviceCookie(const std::string& value, bool secure) {
  return std::string(clinic::kDeviceCookie) + "=" + value + "; HttpOnly; SameSite=Strict; Path=/api/v1/auth" +
         "; Max-Age=" + std::to_string(clinic::kDeviceCookieMaxAgeSeconds) + (secure ? "; Secure" : "");
}

std::string clearedCookie(bool secure) {
  return std::string(clinic::kSessionCookie) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" +
         (secure ? "; Secure" : "");
}

HttpResponse withRetryAfter(HttpResponse r, int64_t seconds) {
  r.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(seconds, 1)));
  return r;
}

HttpResponse redeemProblem(const clinic::RedeemFailure& f) {
  switch (f.error) {
    case clinic::RedeemError::kNotFound:
      return problem(404, "invitation_not_found", "no invitation with this link or code");
    case clinic::RedeemError::kExpired: return problem(410, "invitation_expired", "this invitation has expired");
    case clinic::RedeemError::kRevoked: return problem(410, "invitation_revoked", "this invitation was withdrawn");
    case clinic::RedeemError::kUsed: return problem(410, "invitation_used", "this invitation was already used");
    case clinic::RedeemError::kTooManyAttempts:
      return withRetryAfter(problem(429, "too_many_attempts", "too many wrong codes; try again later"),
                            f.retryAfterSeconds);
    case clinic::RedeemError::kInvalidName:
      return problem(400, "invalid_field", "\"name\" must be 1 to 100 characters, no control characters");
    case clinic::RedeemError::kInvalidRequest: break;
  }
  return problem(400, "invalid_field", "send either \"token\" or \"code\"");
}

HttpResponse clinicProblem(const clinic::ClinicFailure& f) {
  switch (f.error) {
    case clinic::ClinicError::kNotFound: return problem(404, f.code, f.detail);
    case clinic::ClinicError::kInvalid: return problem(400, f.code, f.detail);
    case clinic::ClinicError::kForbidden: return problem(403, f.code, f.detail);
    case clinic::ClinicError::kCancelled: return problem(409, f.code, f.detail);
    case clinic::ClinicError::kConflict: return problem(409, f.code, f.detail);
  }
  return problem(400, f.code, f.detail);
}

json::object brandingJson(const store::TenantRecord& t) {
  return json::object{{"display_name", t.displayName.empty() ? t.name : t.displayName},
                      {"primary_color", t.primaryColor},
                      {"logo_url", t.logoUrl}};
}

json::object meJson(const clinic::SessionContext& s) {
  json::object user{{"id", s.user.id}, {"email", s.user.email}, {"role", s.user.role},
                    {"display_name", s.user.displayName}};
  if (s.user.erased) {
    user["erased"] = true;  // the subject's key was destroyed: email and name are gone
  }
  return json::object{
      {"user", std::move(user)},
      {"tenant", json::object{{"id", s.tenant.id}, {"name", s.tenant.name}, {"branding", brandingJson(s.tenant)}}},
      {"csrf_token", s.session.csrfToken}};
}

// `?t=`: the tenant, so the join page links its terms page (K10) before the redeem; in
// the query (not secret) so the fragment stays `#i=<token>` for whoever parses it.
json::object issuedJson(const clinic::IssuedInvitation& i, const std::string& tenantId) {
  return json::object{{"id", i.record.id},
                      {"role", i.record.role},
                      {"url", "/join?t=" + tenantId + "#i=" + i.token},
                      {"code", i.code},
                      {"expires_at", clinic::formatRfc3339(i.record.expiresAt)}};
}

std::string invitationStatus(const store::InvitationRecord& i, int64_t now) {
  if (i.revokedAt) {
    return "revoked";
  }
  if (i.usedAt) {
    return "used";
  }
  return now >= i.expiresAt ? "expired" : "active";
}

// RFC 3986 §2.1 percent-decoding of a query value ('+' stays '+'); bad escapes are kept
// as they are and then fail the RFC 3339 parse.
std::string percentDecode(std::string_view in) {
  auto hexValue = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') {
      return ch - '0';
    }
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
  };
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = hexValue(in[i + 1]);
      int lo = hexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += in[i];
  }
  return out;
}

// A time member: RFC 3339 string. nullopt + ok=true when absent.
std::optional<int64_t> timeMember(const json::object& o, std::string_view key, bool required, HttpResponse& error,
                                  bool& ok) {
  auto text = stringMember(o, key, 1, 64, required, error, ok);
  if (!ok || !text) {
    return std::nullopt;
  }
  auto t = clinic::parseRfc3339(*text);
  if (!t) {
    ok = false;
    error = problem(400, "invalid_field", "\"" + std::string(key) + "\" must be an RFC 3339 date-time");
  }
  return t;
}

// An undo of a change whose audit event failed: done, or skipped because the row no longer
// holds this request's change (a later change, or a request told the change stands).
void logUndo(bool undone, const std::string& what, const char* kind, const std::string& id) {
  if (undone) {
    log::error(what + "_undone", {{kind, id}, {"reason", "audit_failed"}});
  } else {
    log::warn(what + "_undo_skipped", {{kind, id}, {"reason", "changed_since"}});
  }
}

// The answer to POST /api/v1/auth/login for a sign-in's outcome (below RestApi::login).
HttpResponse loginResponse(const clinic::AuthService::SignInResult& result, bool secure);
// GET /api/v1/appointments/{id}/fhir for what the store had (below RestApi::appointmentFhir).
HttpResponse fhirResponse(const Result<store::AppointmentRecord, clinic::ClinicFailure>& a);

}  // namespace

HttpResponse RestApi::withSession(Handler handler, const HttpRequest& r, Params p, bool adminOnly) {
  std::string value = cookieValue(r.cookie, clinic::kSessionCookie);
  auto request = std::make_shared<const HttpRequest>(r);
  int64_t now = nowSeconds();
  return onStore<clinic::AuthService::SessionCheck>(
      r, p, [this, value, now](store::Store& store) { return auth_.checkSession(store, value, now); },
      [this, handler, request, p, adminOnly, value](clinic::AuthService::SessionCheck& check) mutable {
        const HttpRequest& r = *request;
        auth_.auditIdleLogoff(check);
        auto& session = check.result;
        if (!session) {
          bool expired = session.error() == clinic::SessionError::kExpired;
          HttpResponse res = expired ? problem(401, "session_expired", "signed out after inactivity; sign in again")
                                     : problem(401, "not_signed_in", "sign in first");
          if (!value.empty()) {
            res.headers.emplace_back("Set-Cookie", clearedCookie(r.secure));
          }
          return res;
        }
        // The double-submit defence on top of SameSite=Strict: a state-changing request must
        // prove it read the token from our own API (another origin cannot).
        bool safe = r.method == "GET" || r.method == "HEAD";
        if (!safe && !clinic::secretEquals(r.csrfToken, session->session.csrfToken)) {
          log::info("request_refused", {{"code", "csrf_failed"}, {"user", session->user.id}, {"method", r.method}});
          return problem(403, "csrf_failed", "X-CSRF-Token is missing or wrong");
        }
        if (adminOnly && session->user.role != "admin") {
          return problem(403, "forbidden", "only a practice admin manages webhooks");
        }
        p.session = std::move(*session);
        return (this->*handler)(r, p);
      });
}

HttpResponse RestApi::networkCheck(const HttpRequest&, const Params&) {
  return jsonResponse(200, json::object{{"status", "ok"}, {"server_time", formatTimestamp(nowSeconds())}});
}

HttpResponse RestApi::login(const HttpRequest& r, const Params&) {
  if (auto refused = refuseCrossSiteSignIn(r)) {
    return *refused;
  }
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto email = stringMember(*body, "email", 1, kMaxEmailChars, true, error, ok);
  if (!ok) {
    return error;
  }
  auto password = stringMember(*body, "password", 1, clinic::kMaxPasswordBytes, true, error, ok);
  if (!ok) {
    return error;
  }
  auto totp = stringMember(*body, "totp", 0, 16, false, error, ok);
  if (!ok) {
    return error;
  }
  // argon2id runs on the server's worker pool; the answer comes back on this thread.
  auto pending = DeferredResponse::create();
  auth_.signInAsync(clinic::SignInRequest{*email, *password, totp, r.remoteAddress,
                                           cookieValue(r.cookie, clinic::kDeviceCookie)},
                    [pending, secure = r.secure](clinic::AuthService::SignInResult result) {
                      countSignIn(result ? std::nullopt : std::optional<clinic::SignInError>(result.error().error));
                      pending->answer(loginResponse(result, secure));
                    });
  return pending->response();
}

namespace {

HttpResponse loginResponse(const clinic::AuthService::SignInResult& result, bool secure) {
  if (!result) {
    const auto& f = result.error();
    if (f.error == clinic::SignInError::kTooManyAttempts) {
      return withRetryAfter(problem(429, "too_many_attempts", "too many failed sign-ins; try again later"),
                            f.retryAfterSeconds);
    }
    if (f.error == clinic::SignInError::kUnavailable) {
      return withRetryAfter(problem(503, clinic::toString(f.error), f.detail), f.retryAfterSeconds);
    }
    if (f.error == clinic::SignInError::kMfaNotEnrolled) {
      // Right password, no authenticator enrolled where one is required: the detail names
      // the rule so the user can ask the administrator (create-user --totp).
      return problem(403, clinic::toString(f.error), f.detail);
    }
    if (f.error == clinic::SignInError::kPolicyUnavailable) {
      return problem(503, clinic::toString(f.error), f.detail);
    }
    const char* detail = f.error == clinic::SignInError::kTotpRequired  ? "enter the code from your authenticator app"
                         : f.error == clinic::SignInError::kTotpInvalid ? "the authenticator code is wrong"
                                                                         : "email or password is wrong";
    return problem(401, clinic::toString(f.error), detail);
  }
  HttpResponse res = jsonResponse(200, meJson(result->context));
  // The session cookie first: clients that read one Set-Cookie take the first.
  res.headers.emplace_back("Set-Cookie", sessionCookie(result->cookieValue, secure));
  if (!result->deviceCookie.empty()) {
    res.headers.emplace_back("Set-Cookie", deviceCookie(result->deviceCookie, secure));
  }
  return res;
}

}  // namespace

HttpResponse RestApi::logout(const HttpRequest& r, const Params& p) {
  std::string value = cookieValue(r.cookie, clinic::kSessionCookie);
  using Ended = std::optional<clinic::AuthService::SignOut>;
  return onStore<Ended>(
      r, p,
      [value, address = r.remoteAddress](store::Store& store) {
        return clinic::AuthService::endSession(store, value, address);
      },
      [this, r, p, secure = r.secure](Ended& ended) {
        auto signedOut = [this, secure, idHash = p.session->session.idHash] {
          // Host tokens die with the session that minted them: a host still in a call leaves.
          hub_.sessionEnded(idHash);
          HttpResponse res;
          res.status = 204;
          res.headers.emplace_back("Set-Cookie", clearedCookie(secure));
          return res;
        };
        if (!ended) {
          return signedOut();  // gone meanwhile (another tab signed out): nothing to audit
        }
        // Fail closed (H6): signed out and audited, or neither. The session is deleted
        // already; when its event fails it is put back and the request answers the failure.
        return auditedOrUndone(r, p, ended->event, signedOut, [session = ended->session](store::Store& store) {
          log::error("sign_out_undone", {{"user", session.userId}, {"reason", "audit_failed"}});
          store.createSession(session);
        });
      });
}

HttpResponse RestApi::auditedOrUndone(const HttpRequest& r, const Params& p, const clinic::AuditFacts& event,
                                      std::function<HttpResponse()> answer, std::function<void(store::Store&)> undo,
                                      std::function<void()> undone) {
  auto pending = DeferredResponse::create();
  clinic::auditLater(audit_, event, [this, r, p, pending, answer, undo, undone](std::exception_ptr failure) {
    if (!failure) {
      // This runs from the audit writer's completion, outside any handler's error
      // boundary: whatever answer() throws becomes this request's error, not the loop's.
      try {
        pending->answer(answer());
      } catch (...) {
        pending->answer(failureResponse(std::current_exception(), RouteLabel{r.method, std::string(p.route)}));
      }
      return;
    }
    pending->answer(onStore<bool>(
        r, p,
        [undo](store::Store& store) {
          undo(store);
          return true;
        },
        [failure, undone, label = RouteLabel{r.method, std::string(p.route)}](bool&) {
          if (undone) {
            undone();
          }
          return failureResponse(failure, label);
        },
        /*inlineWhenFull=*/true));
  });
  return pending->response();
}

HttpResponse RestApi::me(const HttpRequest&, const Params& p) { return jsonResponse(200, meJson(*p.session)); }

RestApi::AppointmentView RestApi::viewOf(store::Store& store, store::AppointmentRecord a) {
  auto invitations = store.listInvitations(a.id);
  return AppointmentView{std::move(a), std::move(invitations)};
}

json::object RestApi::appointmentJson(const store::AppointmentRecord& a) {
  return appointmentJson(viewOf(store_, a));
}

json::object RestApi::appointmentJson(const AppointmentView& v) {
  const store::AppointmentRecord& a = v.appointment;
  int64_t now = nowSeconds();
  json::array invitations;
  for (const auto& i : v.invitations) {
    invitations.push_back(json::object{{"id", i.id},
                                       {"role", i.role},
                                       {"status", invitationStatus(i, now)},
                                       {"expires_at", clinic::formatRfc3339(i.expiresAt)}});
  }
  json::object o{{"id", a.id},
                 {"status", a.status},
                 {"start", clinic::formatRfc3339(a.start)},
                 {"end", clinic::formatRfc3339(a.end)},
                 {"title", a.title},
                 {"practitioner_id", a.practitionerId},
                 {"host_delegate_id", a.hostDelegateId},
                 {"patient_reference", a.patientReference},
                 {"room_id", a.roomId},
                 {"created_at", clinic::formatRfc3339(a.createdAt)},
                 {"host_url", "/consult/" + a.id},
                 {"waiting_count", hub_.waitingCount(a.roomId)},
                 {"invitations", std::move(invitations)}};
  if (a.erased) {
    o["erased"] = true;  // title and patient reference were crypto-shredded
  }
  return o;
}

HttpResponse RestApi::createAppointment(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto start = timeMember(*body, "start", true, error, ok);
  if (!ok) {
    return error;
  }
  auto end = timeMember(*body, "end", true, error, ok);
  if (!ok) {
    return error;
  }
  auto title = stringMember(*body, "title", 0, 200, false, error, ok);
  if (!ok) {
    return error;
  }
  auto patient = stringMember(*body, "patient_reference", 0, 200, false, error, ok);
  if (!ok) {
    return error;
  }
  auto practitioner = stringMember(*body, "practitioner_id", 0, 64, false, error, ok);
  if (!ok) {
    return error;
  }
  // Stored on the pool; both events (the appointment's, its patient invitation's) written
  // without blocking, and everything deleted again, before anyone saw the link or code,
  // when either fails.
  using Creation = clinic::AppointmentService::Creation;
  struct Made {
    Result<Creation, clinic::ClinicFailure> creation;
    std::vector<store::InvitationRecord> invitations;
  };
  return onStore<Made>(
      r, p,
      [this, who = *p.session, now = nowSeconds(),
       request = clinic::NewAppointment{*start, *end, title.value_or(""), patient.value_or(""),
                                        practitioner.value_or("")}](store::Store& store) {
        Made m{appointments_.createIn(store, who, request, now), {}};
        if (m.creation) {
          m.invitations = store.listInvitations(m.creation->created.appointment.id);
        }
        return m;
      },
      [this, r, p](Made& m) {
        if (!m.creation) {
          return clinicProblem(m.creation.error());
        }
        auto creation = std::make_shared<const Creation>(std::move(*m.creation));
        AppointmentView view{creation->created.appointment, std::move(m.invitations)};
        auto undo = [id = view.appointment.id](store::Store& store) {
          logUndo(store.deleteAppointment(id), "appointment_create", "appointment", id);
        };
        auto created = [this, view, creation, by = p.session->user.id, tenantId = p.session->tenant.id] {
          const store::AppointmentRecord& a = view.appointment;
          log::info("appointment_created",
                    {{"appointment", a.id}, {"tenant", a.tenantId}, {"room", a.roomId}, {"by", by}});
          log::info("invitation_created", {{"invitation", creation->created.invitation.record.id},
                                           {"appointment", a.id},
                                           {"role", "patient"}});
          json::object o = appointmentJson(view);
          o["invitation"] = issuedJson(creation->created.invitation, tenantId);
          HttpResponse res = jsonResponse(201, o);
          res.headers.emplace_back("Location", "/api/v1/appointments/" + a.id);
          return res;
        };
        return auditedOrUndone(
            r, p, creation->appointmentEvent,
            [this, r, p, creation, created, undo] {
              return auditedOrUndone(r, p, creation->invitationEvent, created, undo);
            },
            undo);
      });
}

HttpResponse RestApi::listAppointments(const HttpRequest& r, const Params& p) {
  // ?from=&to= (RFC 3339, percent-encoded '+' allowed as %2B); default: everything.
  int64_t from = 0;
  int64_t to = std::numeric_limits<int64_t>::max();
  size_t q = r.target.find('?');
  if (q != std::string::npos) {
    std::string query = r.target.substr(q + 1);
    size_t pos = 0;
    while (pos <= query.size()) {
      size_t amp = query.find('&', pos);
      std::string pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      size_t eq = pair.find('=');
      if (eq != std::string::npos) {
        std::string key = pair.substr(0, eq);
        std::string value = percentDecode(pair.substr(eq + 1));
        if (key == "from" || key == "to") {
          auto t = clinic::parseRfc3339(value);
          if (!t) {
            return problem(400, "invalid_field", "\"" + key + "\" must be an RFC 3339 date-time");
          }
          (key == "from" ? from : to) = *t;
        }
      }
      if (amp == std::string::npos) {
        break;
      }
      pos = amp + 1;
    }
  }
  // The dashboard polls this: the appointments and their invitations are read on the
  // store pool, the waiting counts (the hub's) added here.
  using Views = std::vector<AppointmentView>;
  return onStore<Views>(
      r, p,
      [who = *p.session, from, to](store::Store& store) {
        Views views;
        for (auto& a : clinic::AppointmentService::list(store, who, from, to)) {
          views.push_back(viewOf(store, std::move(a)));
        }
        return views;
      },
      [this](Views& views) {
        json::array list;
        for (const AppointmentView& v : views) {
          list.push_back(appointmentJson(v));
        }
        return jsonResponse(200, json::object{{"appointments", std::move(list)}});
      });
}

HttpResponse RestApi::getAppointment(const HttpRequest& r, const Params& p) {
  using Found = Result<AppointmentView, clinic::ClinicFailure>;
  return onStore<Found>(
      r, p,
      [who = *p.session, id = p.id](store::Store& store) -> Found {
        auto a = clinic::AppointmentService::get(store, who, id);
        if (!a) {
          return fail(a.error());
        }
        return viewOf(store, std::move(a).value());
      },
      [this](Found& found) {
        if (!found) {
          return clinicProblem(found.error());
        }
        return jsonResponse(200, appointmentJson(*found));
      });
}

HttpResponse RestApi::patchAppointment(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto start = timeMember(*body, "start", false, error, ok);
  if (!ok) {
    return error;
  }
  auto end = timeMember(*body, "end", false, error, ok);
  if (!ok) {
    return error;
  }
  // Stored on the pool with a conditional write (only the times, only while they are those
  // read and the appointment is not cancelled; else 409); audited without blocking, and
  // the previous times put back when the event fails, only while the row still has this
  // request's.
  using Change = clinic::AppointmentService::RescheduleChange;
  struct Changed {
    Result<Change, clinic::ClinicFailure> change;
    std::vector<store::InvitationRecord> invitations;
  };
  return onStore<Changed>(
      r, p,
      [this, who = *p.session, id = p.id, start, end, now = nowSeconds()](store::Store& store) {
        Changed c{appointments_.rescheduleIn(store, who, id, start, end, now), {}};
        if (c.change) {
          c.invitations = store.listInvitations(id);
        }
        return c;
      },
      [this, r, p](Changed& c) {
        if (!c.change) {
          return clinicProblem(c.change.error());
        }
        auto change = std::make_shared<const Change>(std::move(*c.change));
        AppointmentView view{change->appointment, std::move(c.invitations)};
        std::string roomId = view.appointment.roomId;
        return auditedOrUndone(
            r, p, change->event,
            [this, view, by = p.session->user.id] {
              log::info("appointment_rescheduled", {{"appointment", view.appointment.id}, {"by", by}});
              // Tokens follow the booking: moved earlier, they may be over already.
              hub_.recheckRoom(view.appointment.roomId);
              return jsonResponse(200, appointmentJson(view));
            },
            [this, change](store::Store& store) {
              logUndo(appointments_.undoReschedule(store, *change), "appointment_reschedule", "appointment",
                      change->appointment.id);
            },
            // Someone who joined on the new times while they were being audited.
            [this, roomId] { hub_.recheckRoom(roomId); });
      });
}

HttpResponse RestApi::cancelAppointment(const HttpRequest& r, const Params& p) {
  // Cancelled, its open invitations revoked and its room ended (in the store) in one
  // transaction on the pool (whatever status the control thread moved it to meanwhile,
  // never back from cancelled); audited without blocking and undone, room end included,
  // only while still this request's cancel, when the event fails. The hub ends the room
  // once the event is durable. A repeat that finds a cancel still pending its event
  // stands behind it and audits it too (adopted): should both events fail, the cancel
  // stands and the log says so (appointment_cancel_unaudited).
  using Change = clinic::AppointmentService::CancelChange;
  struct Changed {
    Result<Change, clinic::ClinicFailure> change;
    std::vector<store::InvitationRecord> invitations;
  };
  return onStore<Changed>(
      r, p,
      [who = *p.session, id = p.id, now = nowSeconds()](store::Store& store) {
        Changed c{clinic::AppointmentService::cancelIn(store, who, id, now), {}};
        if (c.change) {
          c.invitations = store.listInvitations(id);
          if (!c.change->event) {
            // Cancelled before: its room ends (again; the first end time stays).
            store.endRoom(c.change->appointment.roomId, now);
          }
        }
        return c;
      },
      [this, r, p](Changed& c) {
        if (!c.change) {
          return clinicProblem(c.change.error());
        }
        auto change = std::make_shared<const Change>(std::move(*c.change));
        AppointmentView view{change->appointment, std::move(c.invitations)};
        if (!change->event) {
          // Cancelled before (and announced then): whoever is still here is sent away.
          hub_.endRoom(view.appointment.roomId, "appointment_cancelled", "", /*announce=*/false);
          return jsonResponse(200, appointmentJson(view));  // cancelled before: nothing new to audit
        }
        return auditedOrUndone(
            r, p, *change->event,
            [this, r, p, view, change, by = p.session->user.id] {
              log::info("appointment_cancelled", {{"appointment", view.appointment.id}, {"by", by}});
              // Whoever waits or talks in the room is told it is over (the store's end was
              // written with the cancel). An adopted cancel's first request announces it.
              hub_.endRoom(view.appointment.roomId, "appointment_cancelled", "", /*announce=*/!change->adopted);
              return settledThen(jobs_, RouteLabel{r.method, std::string(p.route)}, store::SettledChange::kCancel,
                                 view.appointment.id, change->change,
                                 [this, view] { return jsonResponse(200, appointmentJson(view)); });
            },
            [change](store::Store& store) {
              if (change->adopted) {
                // Nothing of this request's to undo, and the first request's undo no
                // longer applies: the cancel stands, its events attempted and failed.
                log::error("appointment_cancel_unaudited",
                           {{"appointment", change->appointment.id}, {"reason", "audit_failed"}});
                return;
              }
              logUndo(clinic::AppointmentService::undoCancel(store, *change), "appointment_cancel", "appointment",
                      change->appointment.id);
            });
      });
}

HttpResponse RestApi::appointmentFhir(const HttpRequest& r, const Params& p) {
  using Found = Result<store::AppointmentRecord, clinic::ClinicFailure>;
  return onStore<Found>(
      r, p,
      [who = *p.session, id = p.id](store::Store& store) { return clinic::AppointmentService::get(store, who, id); },
      [](Found& a) { return fhirResponse(a); });
}

namespace {

HttpResponse fhirResponse(const Result<store::AppointmentRecord, clinic::ClinicFailure>& a) {
  if (!a) {
    return clinicProblem(a.error());
  }
  HttpResponse res = jsonResponse(200, clinic::toFhirAppointment(*a, "/consult/" + a->id, kMaxRoomParticipants));
  res.contentType = "application/fhir+json";
  return res;
}

}  // namespace

HttpResponse RestApi::createInvitation(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto role = stringMember(*body, "role", 1, 16, true, error, ok);
  if (!ok) {
    return error;
  }
  // Stored on the pool; audited without blocking, and revoked again (before anyone saw its
  // link or code) when the event fails.
  using Invited = Result<clinic::AppointmentService::Invited, clinic::ClinicFailure>;
  return onStore<Invited>(
      r, p,
      [this, who = *p.session, id = p.id, role = *role, now = nowSeconds()](store::Store& store) {
        return appointments_.inviteIn(store, who, id, role, now);
      },
      [this, r, p](Invited& invited) {
        if (!invited) {
          return clinicProblem(invited.error());
        }
        const clinic::IssuedInvitation issued = invited->issued;
        return auditedOrUndone(
            r, p, invited->event,
            [issued, tenantId = p.session->tenant.id] {
              log::info("invitation_created", {{"invitation", issued.record.id},
                                               {"appointment", issued.record.appointmentId},
                                               {"role", issued.record.role}});
              return jsonResponse(201, issuedJson(issued, tenantId));
            },
            [id = issued.record.id, now = nowSeconds()](store::Store& store) {
              log::error("invitation_create_undone", {{"invitation", id}, {"reason", "audit_failed"}});
              store.revokeInvitation(id, now);
            });
      });
}

HttpResponse RestApi::revokeInvitation(const HttpRequest& r, const Params& p) {
  // Revoked on the pool (unless it was: then who and when are answered, and that earlier
  // revocation can no longer be undone); audited without blocking, and un-revoked, only
  // while still this request's revocation, when the event fails.
  using Revoked = Result<clinic::AppointmentService::RevokeChange, clinic::ClinicFailure>;
  return onStore<Revoked>(
      r, p,
      [who = *p.session, id = p.id, now = nowSeconds()](store::Store& store) {
        return clinic::AppointmentService::revokeInvitationIn(store, who, id, now);
      },
      [this, r, p](Revoked& revoked) {
        if (!revoked) {
          return clinicProblem(revoked.error());
        }
        // Revocation revokes: the guest it let in, waiting or in the call, leaves now, not
        // once the event is written (should it fail, they were sent away for nothing,
        // which is the safe side).
        hub_.recheckRoom(revoked->invitation.roomId);
        // Revoked before: idempotent; says who and when.
        auto revokedBefore = [answer = json::object{{"id", revoked->invitation.id},
                                                    {"status", "revoked"},
                                                    {"revoked_at", clinic::formatRfc3339(revoked->revocation.at)},
                                                    {"revoked_by", revoked->revocation.by}}] {
          return jsonResponse(200, answer);
        };
        if (!revoked->event) {
          return revokedBefore();  // and audited before: no second event
        }
        if (!revoked->revocation.byThisCall) {
          // Another request's revocation pending its event: this one stands behind it and
          // audits it too; should both events fail, it stands and the log says so.
          return auditedOrUndone(r, p, *revoked->event, revokedBefore, [id = revoked->invitation.id](store::Store&) {
            log::error("invitation_revoke_unaudited", {{"invitation", id}, {"reason", "audit_failed"}});
          });
        }
        return auditedOrUndone(
            r, p, *revoked->event,
            [this, r, p, id = revoked->invitation.id, change = revoked->change] {
              return settledThen(jobs_, RouteLabel{r.method, std::string(p.route)}, store::SettledChange::kRevocation,
                                 id, change, [] {
                                   HttpResponse res;
                                   res.status = 204;
                                   return res;
                                 });
            },
            [id = revoked->invitation.id, change = revoked->change](store::Store& store) {
              logUndo(store.unrevokeInvitation(id, change), "invitation_revoke", "invitation", id);
            });
      });
}

HttpResponse RestApi::hostToken(const HttpRequest& r, const Params& p) {
  // The appointment and its room are read on the store pool; the drain check and the
  // token (no store) here.
  struct Hostable {
    Result<store::AppointmentRecord, clinic::ClinicFailure> appointment;
    std::optional<store::RoomRecord> room;
  };
  return onStore<Hostable>(
      r, p,
      [this, who = *p.session, id = p.id, now = nowSeconds()](store::Store& store) {
        Hostable h{appointments_.hostable(store, who, id, now), std::nullopt};
        if (h.appointment) {
          h.room = store.findRoom(h.appointment->roomId);
        }
        return h;
      },
      [this, p](Hostable& h) { return issueHostToken(h.appointment, h.room, p); });
}

HttpResponse RestApi::issueHostToken(const Result<store::AppointmentRecord, clinic::ClinicFailure>& a,
                                     const std::optional<store::RoomRecord>& room, const Params& p) {
  if (!a) {
    return clinicProblem(a.error());
  }
  if (!room || room->ended()) {
    return problem(409, "room_ended", "the consultation has ended");
  }
  if (auto refused = refuseNewCall(room->id)) {
    return *refused;
  }
  const store::UserRecord& user = p.session->user;
  JoinClaims claims;
  claims.roomId = a->roomId;
  claims.identity = user.id;
  // Patients see this name (participant list, chat): never the sign-in email address.
  claims.name = user.displayName.empty() ? kNeutralPractitionerName : user.displayName;
  claims.role = "host";
  // Bound to the booking (its end + grace, following reschedules) and to this sign-in
  // session (dead after sign-out), both checked at every join (join_check.hpp).
  claims.appointmentId = a->id;
  claims.sessionHash = p.session->session.idHash;
  int64_t until = a->end + appointments_.policy().invitationGraceSeconds - nowSeconds();
  auto ttl = std::chrono::seconds(std::clamp<int64_t>(until, 60, kMaxTokenTtl.count()));
  JoinClaims issued;
  std::string token = tokens_.issue(std::move(claims), ttl, &issued);
  log::info("token_issued", {{"room", a->roomId}, {"token", issued.tokenId}, {"role", "host"}, {"user", user.id}});
  return jsonResponse(200, json::object{{"token", token},
                                        {"room_id", a->roomId},
                                        {"expires_at", formatTimestamp(issued.expiresAt)}});
}

HttpResponse RestApi::setDelegate(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  const json::value* v = body->if_contains("practitioner_id");
  if (v == nullptr || !(v->is_null() || v->is_string()) || (v->is_string() && v->get_string().size() > 64)) {
    return problem(400, "invalid_field", "\"practitioner_id\" must be a user id, or null to withdraw the delegation");
  }
  std::string delegateId = v->is_string() ? std::string(v->get_string()) : "";
  // Stored on the pool (with the invitations the answer shows); audited without blocking,
  // and put back when the event fails.
  struct Changed {
    Result<clinic::AppointmentService::DelegateChange, clinic::ClinicFailure> change;
    std::vector<store::InvitationRecord> invitations;
  };
  const auto grantedAt = nowSeconds();
  return onStore<Changed>(
      r, p,
      [this, who = *p.session, id = p.id, delegateId, now = grantedAt](store::Store& store) {
        Changed c{appointments_.setDelegateIn(store, who, id, delegateId, now), {}};
        if (c.change) {
          c.invitations = store.listInvitations(id);
        }
        return c;
      },
      [this, r, p, delegateId, grantedAt](Changed& c) {
        if (!c.change) {
          return clinicProblem(c.change.error());
        }
        const clinic::AppointmentService::DelegateChange& change = *c.change;
        AppointmentView view{change.appointment, std::move(c.invitations)};
        std::string roomId = view.appointment.roomId;
        std::string by = p.session->user.id;
        return auditedOrUndone(
            r, p, change.event,
            [this, view, delegateId, previous = change.previous, by] {
              log::info(delegateId.empty() ? "appointment_delegate_withdrawn" : "appointment_delegate_granted",
                        {{"appointment", view.appointment.id},
                         {"delegate", delegateId.empty() ? previous : delegateId},
                         {"by", by}});
              // A withdrawn delegate hosting right now leaves the call.
              hub_.recheckRoom(view.appointment.roomId);
              return jsonResponse(200, appointmentJson(view));
            },
            [id = p.id, delegateId, grantedAt, previous = change.previous,
             previousUpdate = change.previousUpdate](store::Store& store) {
              // Only while the row is still what this request wrote (its delegate and its
              // time): a later change, stored and audited while this event was being
              // written, must stay — also one that set the same delegate again.
              auto now = store.findAppointment(id);
              if (!now || now->hostDelegateId != delegateId || now->updatedAt != grantedAt) {
                log::warn("appointment_delegate_undo_skipped", {{"appointment", id}, {"reason", "changed_since"}});
                return;
              }
              log::error("appointment_delegate_undone", {{"appointment", id}, {"reason", "audit_failed"}});
              store.setAppointmentDelegate(id, previous, previousUpdate);
            },
            // A delegate who joined while the grant was being audited leaves again.
            [this, roomId] { hub_.recheckRoom(roomId); });
      });
}

HttpResponse RestApi::redeemInvitation(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto token = stringMember(*body, "token", 1, 128, false, error, ok);
  if (!ok) {
    return error;
  }
  auto code = stringMember(*body, "code", 1, 32, false, error, ok);
  if (!ok) {
    return error;
  }
  auto name = stringMember(*body, "name", 1, clinic::kMaxGuestNameChars, true, error, ok);
  if (!ok) {
    return error;
  }
  if (token.has_value() == code.has_value()) {
    return problem(400, "invalid_field", "send either \"token\" or \"code\"");
  }
  if (code) {
    // People type codes with spaces or dashes ("123 456 789").
    code->erase(std::remove_if(code->begin(), code->end(), [](char ch) { return ch == ' ' || ch == '-'; }),
                code->end());
  }
  // The code's limits here, the look-up, claim and new guest on the store pool, the
  // outcome's bookkeeping back here (AppointmentService "three steps"); then fail closed:
  // the join token is shown once the redeem event is durable, else the claim and the guest
  // are taken back (the invitation may be redeemed again) and the request answers the failure.
  auto request =
      std::make_shared<const clinic::RedeemRequest>(clinic::RedeemRequest{token, code, *name, r.remoteAddress});
  const int64_t now = nowSeconds();
  if (auto refused = appointments_.startAttempt(*request, /*redeeming=*/true, now)) {
    return redeemProblem(*refused);
  }
  using Attempt = clinic::AppointmentService::InvitationAttempt;
  auto settled = std::make_shared<bool>(false);
  HttpResponse res = onStore<Attempt>(
      r, p, [this, request, now](store::Store& store) { return appointments_.redeemIn(store, *request, now); },
      [this, r, p, request, settled](Attempt& attempt) {
        *settled = true;
        auto redeemed = appointments_.finishRedeem(*request, attempt);
        if (!redeemed) {
          return redeemProblem(redeemed.error());
        }
        const clinic::Redeemed done = *redeemed;
        const bool viaCode = attempt.viaCode;
        return auditedOrUndone(
            r, p, attempt.event, [this, done, request, viaCode] { return redeemAnswer(done, request->name, viaCode); },
            [invitation = done.invitation.id, guest = done.guest.id](store::Store& store) {
              if (store.unclaimInvitation(invitation, guest)) {
                log::error("invitation_redeem_undone",
                           {{"invitation", invitation}, {"guest", guest}, {"reason", "audit_failed"}});
              } else {
                log::warn("invitation_redeem_undo_skipped",
                          {{"invitation", invitation}, {"guest", guest}, {"reason", "changed_since"}});
              }
            });
      });
  if (!*settled && !res.deferred) {
    appointments_.abandonAttempt(*request);  // the pool's queue was full: the code was never tried
  }
  return res;
}

HttpResponse RestApi::redeemAnswer(const clinic::Redeemed& redeemed, const std::string& name, bool viaCode) {
  log::info("invitation_redeemed", {{"invitation", redeemed.invitation.id}, {"guest", redeemed.guest.id},
                                    {"role", redeemed.guest.role}, {"via", viaCode ? "code" : "link"}});
  JoinClaims claims;
  claims.roomId = redeemed.guest.roomId;
  claims.identity = redeemed.guest.identity;
  claims.name = name;
  claims.role = redeemed.guest.role;
  claims.appointmentId = redeemed.appointment.id;
  // Valid as long as the invitation: the guest reconnects with it after a drop. The join
  // checks the appointment and invitation as they are then (join_check.hpp).
  auto ttl = std::chrono::seconds(std::max<int64_t>(redeemed.invitation.expiresAt - nowSeconds(), 60));
  JoinClaims issued;
  std::string joinToken = tokens_.issue(std::move(claims), ttl, &issued);
  const auto& t = redeemed.tenant;
  return jsonResponse(
      200, json::object{{"join_token", joinToken},
                        {"role", redeemed.guest.role},
                        {"room_id", redeemed.guest.roomId},
                        {"expires_at", formatTimestamp(issued.expiresAt)},
                        {"appointment", json::object{{"start", clinic::formatRfc3339(redeemed.appointment.start)},
                                                     {"end", clinic::formatRfc3339(redeemed.appointment.end)}}},
                        {"tenant", json::object{{"id", t.id}, {"name", t.name}, {"branding", brandingJson(t)}}}});
}

}  // namespace medrtc::signaling
