// /api/v1/webhooks (docs/openapi.yaml, docs/operations.md "Webhooks"): a tenant's webhook
// endpoints, managed by its API keys or its practice admins, and each endpoint's delivery
// log. A node-operator key (no tenant) manages the endpoints for rooms without a tenant.
// Creating and deleting an endpoint is audited (fail closed: an endpoint whose creation
// cannot be recorded is removed again).

#include <algorithm>
#include <boost/json.hpp>

#include "clinic/clinic_audit.hpp"
#include "log/log.hpp"
#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"
#include "webhooks/signature.hpp"
#include "webhooks/webhook_event.hpp"

namespace medrtc::signaling {

namespace json = boost::json;
namespace cp = medrtc::compliance;

namespace {

// Enough for an EHR, a billing system and a few more; a runaway script stops here.
constexpr size_t kMaxEndpointsPerTenant = 20;
constexpr size_t kDeliveryLogRows = 200;

std::string tenantOf(const RestApi::Params& p) { return p.apiKey ? p.apiKey->tenantId : p.session->user.tenantId; }

struct Actor {
  std::string id;
  std::string role;
  std::string reference;  // created_by
};

Actor actorOf(const RestApi::Params& p) {
  if (p.apiKey) {
    return {p.apiKey->id, "api_key", "ApiKey/" + p.apiKey->id};
  }
  return {p.session->user.id, p.session->user.role, "Practitioner/" + p.session->user.id};
}

std::string rfc3339Millis(int64_t ms) { return formatTimestamp(ms / 1000); }

json::object endpointJson(const store::WebhookEndpointRecord& e) {
  json::array events;
  for (const std::string& type : e.events) {
    events.push_back(json::value(type));
  }
  return json::object{{"id", e.id},
                      {"url", e.url},
                      {"events", std::move(events)},
                      {"include_names", e.includeNames},
                      {"created_at", formatTimestamp(e.createdAt)}};
}

json::object deliveryJson(const store::WebhookDeliveryRecord& d) {
  json::object o{{"id", d.id},
                 {"webhook_id", d.endpointId},
                 {"event_id", d.eventId},
                 {"event_type", d.eventType},
                 {"status", d.status},
                 {"attempts", d.attempts},
                 {"last_status", d.lastStatus},
                 {"last_error", d.lastError},
                 {"created_at", rfc3339Millis(d.createdAt)},
                 {"updated_at", rfc3339Millis(d.updatedAt)}};
  if (d.status == "pending") {
    o["next_attempt_at"] = rfc3339Millis(d.nextAttemptAt);
  }
  return o;
}

HttpResponse notEnabled() { return problem(404, "not_found", "webhooks are not enabled on this node"); }

}  // namespace

std::optional<store::WebhookEndpointRecord> RestApi::webhookForCaller(const std::string& id, const Params& p) {
  auto endpoint = webhookStore_->findEndpoint(id);
  if (!endpoint || endpoint->tenantId != tenantOf(p)) {
    return std::nullopt;
  }
  return endpoint;
}

HttpResponse RestApi::listWebhooks(const HttpRequest&, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  json::array out;
  for (const auto& e : webhookStore_->listEndpoints(tenantOf(p))) {
    out.push_back(endpointJson(e));
  }
  return jsonResponse(200, json::object{{"webhooks", std::move(out)}});
}

HttpResponse RestApi::createWebhook(const HttpRequest& r, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto urlText = stringMember(*body, "url", 1, webhooks::kMaxUrlChars, true, error, ok);
  if (!ok) {
    return error;
  }
  std::string why;
  auto url = webhooks::parseWebhookUrl(*urlText, why);
  if (!url) {
    return problem(400, "invalid_field", "\"url\": " + why);
  }
  if (auto refused = webhooks::refuseUrl(*url, webhookTargets_)) {
    return problem(400, "webhook_target_refused", *refused);
  }
  std::vector<std::string> events;
  if (const json::value* v = body->if_contains("events"); v != nullptr && !v->is_null()) {
    if (!v->is_array()) {
      return problem(400, "invalid_field", "\"events\" must be an array of event types");
    }
    for (const json::value& item : v->get_array()) {
      if (!item.is_string() || !webhooks::parseEventType(item.get_string())) {
        return problem(400, "invalid_field", "\"events\" names an unknown event type");
      }
      std::string type(item.get_string());
      if (std::find(events.begin(), events.end(), type) == events.end()) {
        events.push_back(std::move(type));
      }
    }
  }
  bool includeNames = false;
  if (const json::value* v = body->if_contains("include_names"); v != nullptr && !v->is_null()) {
    if (!v->is_bool()) {
      return problem(400, "invalid_field", "\"include_names\" must be a boolean");
    }
    includeNames = v->get_bool();
  }
  std::string tenantId = tenantOf(p);
  if (webhookStore_->listEndpoints(tenantId).size() >= kMaxEndpointsPerTenant) {
    return problem(409, "webhook_limit", "at most 20 webhook endpoints per tenant; delete one first");
  }
  Actor actor = actorOf(p);
  store::WebhookEndpointRecord endpoint;
  endpoint.tenantId = tenantId;
  endpoint.url = *urlText;
  endpoint.secret = webhooks::newSecret();
  endpoint.events = std::move(events);
  endpoint.includeNames = includeNames;
  endpoint.createdBy = actor.reference;
  endpoint.createdAt = nowSeconds();
  endpoint = webhookStore_->createEndpoint(std::move(endpoint));
  try {
    clinic::audit(audit_, clinic::AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Create,
                                             cp::AuditOutcome::Success, "webhook_create",
                                             includeNames ? "include_names" : "", actor.id, actor.role,
                                             r.remoteAddress, "Endpoint/" + endpoint.id, "", std::nullopt});
  } catch (...) {
    // Fail closed (H6): an endpoint that would receive events without a record of who
    // created it does not stand.
    webhookStore_->deleteEndpoint(endpoint.id);
    throw;
  }
  log::info("webhook_created", {{"webhook", endpoint.id}, {"tenant", tenantId.empty() ? "-" : tenantId}, {"by", actor.id}});
  json::object o = endpointJson(endpoint);
  // Shown once: the receiver needs it to verify signatures; later reads leave it out.
  o["secret"] = endpoint.secret;
  HttpResponse res = jsonResponse(201, o);
  res.headers.emplace_back("Location", "/api/v1/webhooks/" + endpoint.id);
  return res;
}

HttpResponse RestApi::getWebhook(const HttpRequest&, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  auto endpoint = webhookForCaller(p.id, p);
  if (!endpoint) {
    return problem(404, "webhook_not_found", "no webhook with this id");
  }
  return jsonResponse(200, endpointJson(*endpoint));
}

HttpResponse RestApi::deleteWebhook(const HttpRequest& r, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  auto endpoint = webhookForCaller(p.id, p);
  if (!endpoint) {
    return problem(404, "webhook_not_found", "no webhook with this id");
  }
  Actor actor = actorOf(p);
  // Audited first (fail closed): a deletion that cannot be recorded does not happen.
  clinic::audit(audit_, clinic::AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Delete,
                                           cp::AuditOutcome::Success, "webhook_delete", "", actor.id, actor.role,
                                           r.remoteAddress, "Endpoint/" + endpoint->id, "", std::nullopt});
  webhookStore_->deleteEndpoint(endpoint->id);
  log::info("webhook_deleted", {{"webhook", endpoint->id}, {"by", actor.id}});
  HttpResponse res;
  res.status = 204;
  return res;
}

HttpResponse RestApi::listWebhookDeliveries(const HttpRequest&, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  auto endpoint = webhookForCaller(p.id, p);
  if (!endpoint) {
    return problem(404, "webhook_not_found", "no webhook with this id");
  }
  json::array out;
  for (const auto& d : webhookStore_->listDeliveries(endpoint->tenantId, endpoint->id, kDeliveryLogRows)) {
    out.push_back(deliveryJson(d));
  }
  return jsonResponse(200, json::object{{"deliveries", std::move(out)}});
}

}  // namespace medrtc::signaling
