// First-run setup's REST routes (README.md "First run", docs/security.md): the
// /setup page asks whether setup is open, sends the practice and the admin account
// (begin: the answer is the TOTP secret to enrol, as a QR code and as text), then the
// code the authenticator app shows (complete: the accounts are created). The setup token
// travels in the JSON body, never in a URL. clinic/first_run_setup.hpp decides.
#include <boost/json.hpp>

#include <memory>

#include "clinic/password.hpp"
#include "clinic/password_workers.hpp"
#include "compliance/policy_profile.hpp"
#include "signaling/problem.hpp"
#include "signaling/request_origin.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"
#include "signaling/store_job.hpp"

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
    case clinic::SetupError::kSuperseded: return problem(409, code, f.detail);
  }
  return problem(400, code, f.detail);
}

}  // namespace

HttpResponse RestApi::setupStatus(const HttpRequest& r, const Params& p) {
  auto answer = [](bool open) {
    json::array policies;
    for (const auto& name : compliance::builtInProfileNames()) {
      policies.emplace_back(name);
    }
    return jsonResponse(200, json::object{{"open", open}, {"policies", std::move(policies)}});
  };
  if (!setup_.armed()) {
    return answer(false);  // nothing to count
  }
  // The count of accounts on the pool; an account made with create-user closes setup.
  return onStore<int64_t>(
      r, p, [](store::Store& store) { return store.countUsers(); },
      [this, answer](int64_t& users) { return answer(setup_.openWith(users)); });
}

HttpResponse RestApi::setupEnrolment(const HttpRequest& r, const Params& p) {
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
  // The token, its failure limit and the fields here; the begin counts as in flight from
  // now on (a complete waits for it: it is about to replace the enrolment).
  auto started = setup_.startEnrolment(req);
  if (!started) {
    return setupProblem(started.error());
  }
  // Owned by the steps below, on the control thread; however they end (a busy pool or
  // worker, a store failure), the last owner ends the begin, so it no longer holds off
  // a complete. At shutdown the last owner may be a callback destroyed after this RestApi
  // (by ~io_context): then there is no setup left to tell, and `alive` has expired.
  std::shared_ptr<clinic::SetupEnrolling> enrolling(new clinic::SetupEnrolling(std::move(*started)),
                                                    [this, alive = std::weak_ptr<const bool>(alive_)](
                                                        clinic::SetupEnrolling* e) {
                                                      if (!alive.expired()) {
                                                        setup_.abandon(*e);
                                                      }
                                                      delete e;
                                                    });
  RouteLabel label{r.method, std::string(p.route)};
  return onStore<int64_t>(
      r, p, [](store::Store& store) { return store.countUsers(); },
      [this, enrolling, label](int64_t& users) { return hashSetupPassword(enrolling, users, label); });
}

HttpResponse RestApi::hashSetupPassword(std::shared_ptr<clinic::SetupEnrolling> enrolling, int64_t users,
                                        const RouteLabel& label) {
  auto finish = [this, enrolling, users, label]() -> HttpResponse {
    if (users == 0 && !enrolling->hashed) {
      return busyResponse(label);  // the hash failed on its worker (argon2's 64 MiB)
    }
    try {
      auto started = setup_.finishEnrolment(std::move(*enrolling), users);
      if (!started) {
        return setupProblem(started.error());
      }
      return jsonResponse(200, json::object{{"otpauth_uri", started->otpauthUri},
                                            {"secret", started->secret},
                                            {"qr_svg", started->qrSvg}});
    } catch (...) {
      return failureResponse(std::current_exception(), label);
    }
  };
  if (users > 0) {
    return finish();  // closes setup: nothing to hash
  }
  if (!passwordWorkers_) {
    clinic::FirstRunSetup::hashInto(*enrolling);
    return finish();
  }
  // argon2id (64 MiB, ~70 ms) on a password worker, like a sign-in's; the worker touches
  // only this enrolment, which nothing else reads until `finish` runs here.
  auto pending = DeferredResponse::create();
  clinic::SetupEnrolling* hashed = enrolling.get();
  if (!passwordWorkers_->submit([hashed] { clinic::FirstRunSetup::hashInto(*hashed); },
                                [pending, finish] { pending->answer(finish()); })) {
    return busyResponse(label);
  }
  return pending->response();
}

HttpResponse RestApi::setupComplete(const HttpRequest& r, const Params& p) {
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
  // The token, the enrolment and its code here; the token is closed before the writes, so
  // an overlapping complete or begin finds setup closed.
  auto claimed = setup_.claim(*token, *code, r.remoteAddress);
  if (!claimed) {
    return setupProblem(claimed.error());
  }
  auto claim = std::make_shared<const clinic::SetupClaim>(std::move(*claimed));
  using Stored = std::optional<clinic::FirstRunSetup::Stored>;
  HttpResponse answer = onStore<Stored>(
      r, p, [claim](store::Store& store) { return clinic::FirstRunSetup::storeAccounts(store, *claim); },
      [this, claim](Stored& stored) {
        // The step is spent before the events are audited: should an event fail, the
        // accounts stand (the answer is the failure) and the setup code must not sign in.
        auto done = setup_.finishAccounts(*claim, stored, [this](const clinic::SetupDone& made) {
          auth_.spendTotpStep(made.userId, made.totpStep);
        });
        if (!done) {
          return setupProblem(done.error());
        }
        return jsonResponse(201, json::object{{"tenant_id", done->tenantId}, {"user_id", done->userId}});
      });
  // With a pool, an answer that is not deferred is its full queue (503 `unavailable`):
  // nothing was written, so the claim goes back and the retry the answer asks for can
  // pass (closed, the token would answer 410 for good, with no account and no new token
  // until a restart). Not run inline instead: a full queue means a slow database, and the
  // control thread must not wait on it.
  if (jobs_.pooled() && !answer.deferred) {
    setup_.unclaim(*token, *claim);
  }
  return answer;
}

}  // namespace medrtc::signaling
