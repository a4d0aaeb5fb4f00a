// First-run setup's REST routes (README.md "First run", docs/security.md): the
// /setup page asks whether setup is open, sends the practice and the admin account
// (begin: the answer is the TOTP secret to enrol, as a QR code and as text), then the
// code the authenticator app shows (complete: the accounts are created). The setup token
// travels in the JSON body, never in a URL. clinic/first_run_setup.hpp decides.
#include <boost/json.hpp>

#include "clinic/password.hpp"
#include "compliance/policy_profile.hpp"
#include "signaling/problem.hpp"
#include "signaling/request_origin.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

// A setup token is 43 characters (clinic::randomToken); a little slack for copy-paste.
constexpr size_t kMaxTokenChars = 128;

HttpResponse setupProblem(const clinic::SetupFailure& f) {
  const char* code = clinic::toString(f.error);
  switch (f.error) {
    case clinic::SetupError::kClosed: return problem(410, code, f.detail);
    case clinic::SetupError::kBadToken: return problem(403, code, f.detail);
    case clinic::SetupError::kTooManyAttempts: {
      HttpResponse r = problem(429, code, f.detail);
      r.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(f.retryAfterSeconds, 1)));
      return r;
    }
    case clinic::SetupError::kInvalid: return problem(400, code, f.detail);
    case clinic::SetupError::kPolicyRefused: return problem(403, code, f.detail);
    case clinic::SetupError::kNoEnrolment: return problem(409, code, f.detail);
    case clinic::SetupError::kTotpInvalid: return problem(400, code, f.detail);
  }
  return problem(400, code, f.detail);
}

}  // namespace

HttpResponse RestApi::setupStatus(const HttpRequest&, const Params&) {
  json::array policies;
  for (const auto& name : compliance::builtInProfileNames()) {
    policies.emplace_back(name);
  }
  return jsonResponse(200, json::object{{"open", setup_.open()}, {"policies", std::move(policies)}});
}

HttpResponse RestApi::setupEnrolment(const HttpRequest& r, const Params&) {
  if (auto refused = refuseCrossSiteSignIn(r)) {
    return *refused;
  }
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  clinic::SetupRequest req;
  req.sourceAddress = r.remoteAddress;
  auto text = [&](std::string_view key, size_t min, size_t max, bool required) -> std::string {
    if (!ok) {
      return {};
    }
    return stringMember(*body, key, min, max, required, error, ok).value_or("");
  };
  req.token = text("token", 1, kMaxTokenChars, true);
  req.practiceName = text("practice_name", 1, 200, true);
  req.policy = text("policy", 0, 16, false);
  req.region = text("region", 0, 64, false);
  req.email = text("email", 3, 254, true);
  req.password = text("password", 1, clinic::kMaxPasswordBytes, true);
  req.displayName = text("display_name", 0, 200, false);
  if (!ok) {
    return error;
  }
  auto started = setup_.begin(req);
  if (!started) {
    return setupProblem(started.error());
  }
  return jsonResponse(200, json::object{{"otpauth_uri", started->otpauthUri},
                                        {"secret", started->secret},
                                        {"qr_svg", started->qrSvg}});
}

HttpResponse RestApi::setupComplete(const HttpRequest& r, const Params&) {
  if (auto refused = refuseCrossSiteSignIn(r)) {
    return *refused;
  }
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto token = stringMember(*body, "token", 1, kMaxTokenChars, true, error, ok);
  if (!ok) {
    return error;
  }
  auto code = stringMember(*body, "code", 1, 16, true, error, ok);
  if (!ok) {
    return error;
  }
  auto done = setup_.complete(*token, *code, r.remoteAddress);
  if (!done) {
    return setupProblem(done.error());
  }
  auth_.spendTotpStep(done->userId, done->totpStep);
  return jsonResponse(201, json::object{{"tenant_id", done->tenantId}, {"user_id", done->userId}});
}

}  // namespace medrtc::signaling
