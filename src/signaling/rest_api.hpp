#pragma once
// The REST API (docs/openapi.yaml) as a routing table of plain handlers: no Beast here,
// the HTTP session hands in an HttpRequest and writes the HttpResponse back.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/appointment_service.hpp"
#include "clinic/auth_service.hpp"
#include "clinic/first_run_setup.hpp"
#include "clinic/terms_service.hpp"

#include "common/clock.hpp"
#include "signaling/http_types.hpp"
#include <boost/json/object.hpp>
#include <span>
#include "signaling/join_token.hpp"
#include "signaling/probe_budget.hpp"
#include "signaling/signaling_hub.hpp"
#include "signaling/store_job.hpp"
#include "store/store.hpp"
#include "store/webhook_store.hpp"
#include "webhooks/target_policy.hpp"

namespace medrtc::signaling {

inline constexpr size_t kMaxRequestBodyBytes = 64 * 1024;

struct RouteInfo {
  std::string_view method;
  std::string_view path;  // template, e.g. "/api/v1/rooms/{id}"
};

class MetricsEndpoint;

class RestApi {
 public:
  // `audit` records the clinic workflow's events (null: none). The invitation-code hash
  // key is derived from the token signing secret (`codeKeySeed`).
  RestApi(store::Store& store, const JoinTokenSigner& tokens, SignalingHub& hub, const Clock& clock, bool devMode,
          compliance::AuditSink* audit = nullptr, std::span<const uint8_t> codeKeySeed = {},
          clinic::AuthPolicy authPolicy = {});

  // True for paths this API owns (/healthz and /api/...); everything else is static.
  static bool owns(const std::string& path);
  // Every route the router knows (docs/openapi.yaml must list exactly these).
  static std::vector<RouteInfo> routes();

  HttpResponse handle(const HttpRequest& request);
  // GET /metrics on this listener (metrics_endpoint.hpp); off (404) when unset.
  void setMetrics(const MetricsEndpoint* metrics) { metrics_ = metrics; }
  // The pre-call check (probe_routes.cpp): the media plane its probes run on and the TURN
  // servers handed to them. Unset: POST /api/v1/connectivity-probes answers 503.
  void setConnectivityProbes(sfu::MediaApi* media, IceServerProvider iceServers, ProbeLimits limits = {}) {
    probeMedia_ = media;
    probeIceServers_ = std::move(iceServers);
    probes_ = ProbeBudget(limits);
  }
  // Opens first-run setup (/setup) for `token`; see clinic/first_run_setup.hpp.
  void armSetup(std::string token) { setup_.arm(std::move(token)); }
  // /api/v1/webhooks (webhook_routes.cpp): the control thread's own connection to the
  // webhook tables and the policy on target URLs; the routes answer 404 while unset. Their
  // store work runs on the store pool's webhook connections (StorePool::Connections) where
  // the pool has them; `store` then serves only an undo the full pool cannot take.
  void setWebhooks(store::WebhookStore* store, webhooks::TargetPolicy targets) {
    webhookStore_ = store;
    webhookTargets_ = targets;
    jobs_.setLocalWebhooks(store);
  }

  // Values captured from the route template.
  struct Params {
    std::string id;
    std::string_view route;  // the route's template, for log lines
    std::optional<clinic::SessionContext> session;  // cookie-authenticated routes
    std::optional<store::ApiKeyRecord> apiKey;        // API-key routes
  };

 private:
  HttpResponse healthz(const HttpRequest& r, const Params& p);
  // Drain (drain_routes.cpp): /readyz, and the 503 for a route that would start a call in
  // `roomId` ("" for a new room) while the server drains; nullopt: go ahead.
  HttpResponse readyz(const HttpRequest& r, const Params& p);
  std::optional<HttpResponse> refuseNewCall(const std::string& roomId) const;
  HttpResponse websocketWithoutUpgrade(const HttpRequest& r, const Params& p);
  HttpResponse createRoom(const HttpRequest& r, const Params& p);
  HttpResponse getRoom(const HttpRequest& r, const Params& p);
  HttpResponse deleteRoom(const HttpRequest& r, const Params& p);
  HttpResponse createToken(const HttpRequest& r, const Params& p);
  HttpResponse issueToken(JoinClaims claims, std::chrono::seconds ttl);  // claims.roomId set
  HttpResponse roomAnswer(const std::optional<store::RoomRecord>& room);  // GET /api/v1/rooms/{id}
  HttpResponse createDevRoom(const HttpRequest& r, const Params& p);
  HttpResponse devRoomAnswer(const store::RoomRecord& room);  // its join links
  // Clinic workflow (clinic_routes.cpp, docs/consultation-api.md).
  HttpResponse login(const HttpRequest& r, const Params& p);
  HttpResponse logout(const HttpRequest& r, const Params& p);
  HttpResponse me(const HttpRequest& r, const Params& p);
  HttpResponse createAppointment(const HttpRequest& r, const Params& p);
  HttpResponse listAppointments(const HttpRequest& r, const Params& p);
  HttpResponse getAppointment(const HttpRequest& r, const Params& p);
  HttpResponse patchAppointment(const HttpRequest& r, const Params& p);
  HttpResponse cancelAppointment(const HttpRequest& r, const Params& p);
  HttpResponse appointmentFhir(const HttpRequest& r, const Params& p);
  HttpResponse createInvitation(const HttpRequest& r, const Params& p);
  HttpResponse revokeInvitation(const HttpRequest& r, const Params& p);
  HttpResponse hostToken(const HttpRequest& r, const Params& p);
  HttpResponse issueHostToken(const Result<store::AppointmentRecord, clinic::ClinicFailure>& a,
                              const std::optional<store::RoomRecord>& room, const Params& p);
  HttpResponse setDelegate(const HttpRequest& r, const Params& p);
  HttpResponse redeemInvitation(const HttpRequest& r, const Params& p);
  // The join token and what the patient's page shows, once the redeem event is durable.
  HttpResponse redeemAnswer(const clinic::Redeemed& redeemed, const std::string& name, bool viaCode);
  HttpResponse networkCheck(const HttpRequest& r, const Params& p);
  HttpResponse createProbe(const HttpRequest& r, const Params& p);  // probe_routes.cpp
  // The probe itself, once `subject` (who asks, never a name) is known: the drain and
  // budget checks (`address`: the request's) and the media worker's answer. `via` names
  // the credential for the log.
  HttpResponse openProbe(const std::string& address, const std::string& subject, sfu::ProbeCandidates candidates,
                         std::string transport, std::string offer, const char* via);
  HttpResponse metrics(const HttpRequest& r, const Params& p);  // metrics_endpoint.cpp
  // Admin dashboard (admin_dashboard_routes.cpp): the tenant admin's live consultations,
  // one consultation's call-quality samples (live or kept), and the consultations whose
  // quality history the store kept.
  HttpResponse liveConsultations(const HttpRequest& r, const Params& p);
  HttpResponse consultationQuality(const HttpRequest& r, const Params& p);
  HttpResponse qualityHistory(const HttpRequest& r, const Params& p);
  // First-run setup (setup_routes.cpp).
  HttpResponse setupStatus(const HttpRequest& r, const Params& p);
  HttpResponse setupEnrolment(const HttpRequest& r, const Params& p);
  HttpResponse setupComplete(const HttpRequest& r, const Params& p);
  // A begin's argon2id hash on the password workers (inline without them), then its finish
  // here; `users`: the count of accounts the pool read.
  HttpResponse hashSetupPassword(std::shared_ptr<clinic::SetupEnrolling> enrolling, int64_t users,
                                 const RouteLabel& label);
  // Webhook endpoints and their delivery log (webhook_routes.cpp): an API key's tenant, or
  // a practice admin's.
  HttpResponse listWebhooks(const HttpRequest& r, const Params& p);
  HttpResponse createWebhook(const HttpRequest& r, const Params& p);
  HttpResponse getWebhook(const HttpRequest& r, const Params& p);
  HttpResponse deleteWebhook(const HttpRequest& r, const Params& p);
  HttpResponse listWebhookDeliveries(const HttpRequest& r, const Params& p);
  // The endpoint `id` as the caller (of `tenantId`) may see it: another tenant's is
  // nullopt, like an unknown id. Runs on a pool thread.
  static std::optional<store::WebhookEndpointRecord> webhookForCaller(store::WebhookStore& store,
                                                                      const std::string& id,
                                                                      const std::string& tenantId);
  // createWebhook's event, once the endpoint is stored: the 201 once the event is durable;
  // when it fails the endpoint is deleted again (a webhook job) and the request answers
  // the failure.
  HttpResponse webhookCreatedOrUndone(const HttpRequest& r, const Params& p, const clinic::AuditFacts& event,
                                      const store::WebhookEndpointRecord& endpoint);
  template <class T>
  HttpResponse onWebhooks(const HttpRequest& r, const Params& p, std::function<T(store::WebhookStore&)> work,
                          std::function<HttpResponse(T&)> then, bool inlineWhenFull = false) {
    return jobs_.runWebhooks<T>(RouteLabel{r.method, std::string(p.route)}, std::move(work), std::move(then),
                                inlineWhenFull);
  }
  HttpResponse getTerms(const HttpRequest& r, const Params& p);  // terms_routes.cpp
  HttpResponse putTerms(const HttpRequest& r, const Params& p);  // terms_routes.cpp
  // K5 (staff_routes.cpp): the host lists and adds the practice's staff; an added staff
  // member lists their consultations and buys a join token for one.
  HttpResponse addStaff(const HttpRequest& r, const Params& p);
  HttpResponse listStaff(const HttpRequest& r, const Params& p);
  HttpResponse listStaffConsultations(const HttpRequest& r, const Params& p);
  HttpResponse staffToken(const HttpRequest& r, const Params& p);
  // addStaff's write, once the reads and the drain check passed: the mark on the store
  // pool, then its event (auditedOrUndone).
  HttpResponse storeStaffMark(const HttpRequest& r, const Params& p, const store::AppointmentRecord& a,
                              const store::RoomRecord& room, const std::string& staffId);
  // Authorization, then the handler (handle() picks which). Session and API-key look-ups
  // run on the store pool (store_job.hpp); the handler runs on the control thread once
  // they are back. A request without an API key answers 401 at once.
  using Handler = HttpResponse (RestApi::*)(const HttpRequest&, const Params&);
  HttpResponse withApiKey(Handler handler, const HttpRequest& r, Params p);
  // The cookie session of a request, then the handler; a problem response when there is
  // none, it expired, or (state-changing methods) the CSRF token is missing or wrong.
  // `adminOnly`: only a practice admin's session passes (403 otherwise).
  HttpResponse withSession(Handler handler, const HttpRequest& r, Params p, bool adminOnly);
  // `work` on the store pool, `then` on the control thread (store_job.hpp), for the route
  // `p` names.
  // Fail closed (H6) for a change a store job made: it stands once `event` is durable,
  // and `answer` gives the response; when the event fails, `undo` runs as a store job and
  // the request answers the failure. Written without blocking (AuditSink::recordLater).
  // `undone` (optional) runs on the control thread once the undo is stored.
  HttpResponse auditedOrUndone(const HttpRequest& r, const Params& p, const clinic::AuditFacts& event,
                               std::function<HttpResponse()> answer, std::function<void(store::Store&)> undo,
                               std::function<void()> undone = {});
  template <class T>
  HttpResponse onStore(const HttpRequest& r, const Params& p, std::function<T(store::Store&)> work,
                       std::function<HttpResponse(T&)> then, bool inlineWhenFull = false) {
    return jobs_.run<T>(RouteLabel{r.method, std::string(p.route)}, std::move(work), std::move(then),
                        inlineWhenFull);
  }
  // An appointment with its invitations, as read on the store pool; appointmentJson adds
  // the hub's waiting count on the control thread.
  struct AppointmentView {
    store::AppointmentRecord appointment;
    std::vector<store::InvitationRecord> invitations;
  };
  static AppointmentView viewOf(store::Store& store, store::AppointmentRecord a);
  boost::json::object appointmentJson(const AppointmentView& v);
  // The same, reading the invitations with the control thread's store (the routes still
  // inline).
  boost::json::object appointmentJson(const store::AppointmentRecord& a);

  // The key in a request's Authorization: Bearer header (not yet checked); empty when it
  // has none.
  static std::string_view bearerKey(const HttpRequest& r);
  // The room `id` as the request's API key may see it: another tenant's room (or, for a
  // node-operator key, any tenant's room) is nullopt, exactly like an unknown id.
  static std::optional<store::RoomRecord> roomForKey(store::Store& store, const std::string& id, const Params& p);
  int64_t nowSeconds() const;

  store::Store& store_;
  const JoinTokenSigner& tokens_;
  SignalingHub& hub_;
  const Clock& clock_;
  bool devMode_;
  clinic::AuthService auth_;
  clinic::AppointmentService appointments_;
  clinic::FirstRunSetup setup_;
  const MetricsEndpoint* metrics_ = nullptr;
  sfu::MediaApi* probeMedia_ = nullptr;
  IceServerProvider probeIceServers_;
  ProbeBudget probes_;
  compliance::AuditSink* audit_ = nullptr;
  store::WebhookStore* webhookStore_ = nullptr;
  webhooks::TargetPolicy webhookTargets_;
  StoreJobs jobs_;
  std::shared_ptr<clinic::PasswordWorkers> passwordWorkers_;  // first-run setup's hash; null: inline
  // Expires first when this RestApi is destroyed (declared last). A step's callback may be
  // destroyed after this object is gone (at shutdown the pool posts into an io_context that
  // never runs again, and ~io_context destroys what it held): what such a destruction would
  // do to this object's state checks this first (setup_routes.cpp).
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
};

// RFC 3339 UTC, e.g. "2026-01-31T12:00:00Z".
std::string formatTimestamp(int64_t unixSeconds);

}  // namespace medrtc::signaling
