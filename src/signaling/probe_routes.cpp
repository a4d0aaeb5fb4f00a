// POST /api/v1/connectivity-probes: the pre-call check (docs/consultation-api.md
// "Pre-call check"). The patient's browser sends an SDP offer and gets the answer of a
// short-lived probe transport on a media worker, which it then connects to over exactly
// one path (UDP, ICE-TCP, or a TURN relay), as a call would. Authorized by what the
// patient already holds: a join token, or an invitation link token or code (checked,
// never used up); never anonymous. Bounded per address, per subject and per node
// (probe_budget.hpp).
#include "log/log.hpp"

#include <boost/json.hpp>

#include "common/random.hpp"
#include "signaling/deferred_response.hpp"
#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

HttpResponse retryAfter(HttpResponse r, int64_t seconds) {
  r.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(seconds, 1)));
  return r;
}

HttpResponse invitationProblem(const clinic::RedeemFailure& f) {
  switch (f.error) {
    case clinic::RedeemError::kExpired: return problem(410, "invitation_expired", "this invitation has expired");
    case clinic::RedeemError::kRevoked: return problem(410, "invitation_revoked", "this invitation was withdrawn");
    case clinic::RedeemError::kTooManyAttempts:
      return retryAfter(problem(429, "too_many_attempts", "too many wrong codes; try again later"),
                        f.retryAfterSeconds);
    case clinic::RedeemError::kInvalidRequest:
    case clinic::RedeemError::kInvalidName:
      return problem(400, "invalid_field", "send one of \"join_token\", \"invitation\" or \"code\"");
    case clinic::RedeemError::kUsed:  // checkInvitation accepts used ones; kept for completeness
    case clinic::RedeemError::kNotFound: break;
  }
  return problem(404, "invitation_not_found", "no invitation with this link or code");
}

HttpResponse mediaProblem(sfu::MediaError e) {
  switch (e) {
    case sfu::MediaError::kSdpInvalid: return problem(400, "sdp_invalid", "the offer cannot be answered");
    case sfu::MediaError::kTransportOff:
      return problem(409, "transport_off", "this server does not take ICE over TCP");
    case sfu::MediaError::kTooManyProbes:
      return retryAfter(problem(503, "probes_busy", "too many connection checks right now; try again shortly"), 5);
    default: break;
  }
  return problem(503, "unavailable", "the media server cannot run a check now; try again shortly");
}

}  // namespace

HttpResponse RestApi::createProbe(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto joinToken = stringMember(*body, "join_token", 1, 4096, false, error, ok);
  auto invitation = ok ? stringMember(*body, "invitation", 1, 128, false, error, ok) : std::nullopt;
  auto code = ok ? stringMember(*body, "code", 1, 32, false, error, ok) : std::nullopt;
  auto transport = ok ? stringMember(*body, "transport", 1, 8, true, error, ok) : std::nullopt;
  auto offer = ok ? stringMember(*body, "offer", 1, kMaxRequestBodyBytes, true, error, ok) : std::nullopt;
  if (!ok) {
    return error;
  }
  if (int(joinToken.has_value()) + int(invitation.has_value()) + int(code.has_value()) != 1) {
    return problem(400, "invalid_field", "send one of \"join_token\", \"invitation\" or \"code\"");
  }
  sfu::ProbeCandidates candidates = sfu::ProbeCandidates::kUdp;
  if (*transport == "tcp") {
    candidates = sfu::ProbeCandidates::kTcp;
  } else if (*transport != "udp" && *transport != "relay") {
    return problem(400, "invalid_field", "\"transport\" must be \"udp\", \"tcp\" or \"relay\"");
  }

  // Who asks: the subject its probes are counted against. Never a name. A join token is
  // checked here (no store); an invitation on the store pool (AppointmentService "three
  // steps": the code's limits here, the look-up there, the bookkeeping back here).
  if (joinToken) {
    auto claims = tokens_.verify(*joinToken);
    if (!claims.ok()) {
      return problem(401, "invalid_token", "the join token is not valid or has expired");
    }
    return openProbe(r.remoteAddress, "room:" + claims->roomId + "/" + claims->identity, candidates,
                     std::move(*transport), std::move(*offer), "join_token");
  }
  if (code) {
    // People type codes with spaces or dashes ("123 456 789"), as on redeem.
    std::erase_if(*code, [](char ch) { return ch == ' ' || ch == '-'; });
  }
  auto request =
      std::make_shared<const clinic::RedeemRequest>(clinic::RedeemRequest{invitation, code, "", r.remoteAddress});
  const int64_t now = nowSeconds();
  if (auto refused = appointments_.startAttempt(*request, /*redeeming=*/false, now)) {
    return invitationProblem(*refused);
  }
  using Attempt = clinic::AppointmentService::InvitationAttempt;
  auto settled = std::make_shared<bool>(false);
  HttpResponse res = onStore<Attempt>(
      r, p, [this, request, now](store::Store& store) { return appointments_.checkIn(store, *request, now); },
      [this, address = r.remoteAddress, request, settled, candidates, transport = *transport, offer = std::move(*offer),
       via = code ? "code" : "invitation"](Attempt& attempt) mutable {
        *settled = true;
        auto found = appointments_.finishCheck(*request, attempt);
        if (!found) {
          return invitationProblem(found.error());
        }
        return openProbe(address, "invitation:" + found->id, candidates, std::move(transport), std::move(offer), via);
      });
  if (!*settled && !res.deferred) {
    appointments_.abandonAttempt(*request);  // the pool's queue was full: the code was never tried
  }
  return res;
}

HttpResponse RestApi::openProbe(const std::string& address, const std::string& subject, sfu::ProbeCandidates candidates,
                                std::string transport, std::string offer, const char* via) {
  if (probeMedia_ == nullptr) {
    return problem(503, "unavailable", "this server runs no connection checks");
  }
  if (auto refused = refuseNewCall("")) {
    return *refused;
  }
  if (auto refused = probes_.take(subject, address, clock_.now())) {
    if (refused->bound == ProbeBudget::Bound::kNode) {
      return retryAfter(problem(503, "probes_busy", "too many connection checks right now; try again shortly"),
                        refused->retryAfterSeconds);
    }
    return retryAfter(problem(429, "too_many_probes", "too many connection checks; try again shortly"),
                      refused->retryAfterSeconds);
  }

  std::string probeId = "p_" + randomHex(8);
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(probes_.limits().lifetime).count();
  json::array ice;
  if (probeIceServers_) {
    for (const IceServerView& server : probeIceServers_(probeId)) {
      json::array urls;
      for (const auto& url : server.urls) {
        urls.emplace_back(url);
      }
      ice.emplace_back(json::object{{"urls", std::move(urls)},
                                    {"username", server.username},
                                    {"credential", server.credential}});
    }
  }
  log::info("probe_requested", {{"probe", probeId}, {"transport", transport}, {"via", via}});
  auto deferred = DeferredResponse::create();
  probeMedia_->openProbe(probeId, candidates, std::move(offer),
                         [deferred, probeId, lifetime, ice = std::move(ice)](Result<std::string, sfu::MediaError> answer) {
                           if (!answer.ok()) {
                             HttpResponse refused = mediaProblem(answer.error());
                             log::info("probe_refused", {{"probe", probeId}, {"status", refused.status}});
                             deferred->answer(std::move(refused));
                             return;
                           }
                           deferred->answer(jsonResponse(201, json::object{{"probe_id", probeId},
                                                                           {"answer", *answer},
                                                                           {"expires_in", lifetime},
                                                                           {"ice_servers", ice}}));
                         });
  return deferred->response();
}

}  // namespace medrtc::signaling
