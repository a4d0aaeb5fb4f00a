// /api/v1/webhooks (docs/openapi.yaml, docs/operations.md "Webhooks"): a tenant's webhook
// endpoints, managed by its API keys or its practice admins, and each endpoint's delivery
// log. A node-operator key (no tenant) manages the endpoints for rooms without a tenant.
// Creating and deleting an endpoint is audited (fail closed: an endpoint whose creation
// cannot be recorded is removed again; a deletion is recorded before the row goes).
// Off the control thread (issue 10 item 7): the store work runs on the store pool's webhook
// connections (store_job.hpp), the audit events go through AuditSink::recordLater, and
// the answer is made on the control thread.

#include <algorithm>
#include <boost/json.hpp>

#include "clinic/clinic_audit.hpp"
#include "log/log.hpp"
#include "signaling/deferred_response.hpp"
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

std::optional<store::WebhookEndpointRecord> RestApi::webhookForCaller(store::WebhookStore& store,
                                                                      const std::string& id,
                                                                      const std::string& tenantId) {
  auto endpoint = store.findEndpoint(id);
  if (!endpoint || endpoint->tenantId != tenantId) {
    return std::nullopt;
  }
  return endpoint;
}

HttpResponse RestApi::listWebhooks(const HttpRequest& r, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  using Endpoints = std::vector<store::WebhookEndpointRecord>;
  return onWebhooks<Endpoints>(
      r, p, [tenantId = tenantOf(p)](store::WebhookStore& store) { return store.listEndpoints(tenantId); },
      [](Endpoints& endpoints) {
        json::array out;
        for (const auto& e : endpoints) {
          out.push_back(endpointJson(e));
        }
        return jsonResponse(200, json::object{{"webhooks", std::move(out)}});
      });
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
  Actor actor = actorOf(p);
  store::WebhookEndpointRecord endpoint;
  endpoint.tenantId = tenantOf(p);
  endpoint.url = *urlText;
  endpoint.secret = webhooks::newSecret();
  endpoint.events = std::move(events);
  endpoint.includeNames = includeNames;
  endpoint.createdBy = actor.reference;
  endpoint.createdAt = nowSeconds();
  // nullopt: the tenant has its 20 already. The count and the insert are one job, but not
  // one transaction: two creates at once on two PostgreSQL connections (or two nodes) may
  // both pass at 19; the bound stops a runaway script, not the 21st endpoint exactly.
  using Created = std::optional<store::WebhookEndpointRecord>;
  return onWebhooks<Created>(
      r, p,
      [endpoint = std::move(endpoint)](store::WebhookStore& store) mutable -> Created {
        if (store.listEndpoints(endpoint.tenantId).size() >= kMaxEndpointsPerTenant) {
          return std::nullopt;
        }
        return store.createEndpoint(std::move(endpoint));
      },
      [this, r, p, actor, includeNames](Created& created) {
        if (!created) {
          return problem(409, "webhook_limit", "at most 20 webhook endpoints per tenant; delete one first");
        }
        clinic::AuditFacts event{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Create,
                                 cp::AuditOutcome::Success, "webhook_create", includeNames ? "include_names" : "",
                                 actor.id, actor.role, r.remoteAddress, "Endpoint/" + created->id, "",
                                 std::nullopt};
        return webhookCreatedOrUndone(r, p, event, *created);
      });
}

HttpResponse RestApi::webhookCreatedOrUndone(const HttpRequest& r, const Params& p, const clinic::AuditFacts& event,
                                             const store::WebhookEndpointRecord& endpoint) {
  auto pending = DeferredResponse::create();
  RouteLabel label{r.method, std::string(p.route)};
  clinic::auditLater(audit_, event, [this, r, p, pending, endpoint, label, by = event.actorId](
                                        std::exception_ptr failure) {
    if (!failure) {
      // This runs from the audit writer's completion, outside any handler's error
      // boundary: whatever throws here becomes this request's error, not the loop's.
      try {
        log::info("webhook_created", {{"webhook", endpoint.id},
                                      {"tenant", endpoint.tenantId.empty() ? "-" : endpoint.tenantId},
                                      {"by", by}});
        json::object o = endpointJson(endpoint);
        // Shown once: the receiver needs it to verify signatures; later reads leave it out.
        o["secret"] = endpoint.secret;
        HttpResponse res = jsonResponse(201, o);
        res.headers.emplace_back("Location", "/api/v1/webhooks/" + endpoint.id);
        pending->answer(std::move(res));
      } catch (...) {
        pending->answer(failureResponse(std::current_exception(), label));
      }
      return;
    }
    // Fail closed (H6): an endpoint that would receive events without a record of who
    // created it does not stand. The undo is keyed by the endpoint's id, drawn for this
    // request alone: it can remove nothing another request created. Another caller may
    // have listed it meanwhile (and the dispatcher queued a delivery to it, removed with
    // it); neither was told it stands for good. Not skipped when the pool is full: it
    // then runs on the control thread's connection.
    pending->answer(onWebhooks<bool>(
        r, p,
        [id = endpoint.id](store::WebhookStore& store) {
          // Logged once the delete is stored: an endpoint whose delete failed stands,
          // unaudited, and the log must say so, not that it was undone.
          try {
            bool deleted = store.deleteEndpoint(id);
            log::error("webhook_create_undone", {{"webhook", id}, {"reason", "audit_failed"}});
            return deleted;
          } catch (...) {
            log::error("webhook_create_unaudited", {{"webhook", id}, {"reason", "undo_failed"}});
            throw;
          }
        },
        [failure, label](bool&) { return failureResponse(failure, label); },
        /*inlineWhenFull=*/true));
  });
  return pending->response();
}

HttpResponse RestApi::getWebhook(const HttpRequest& r, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  using Found = std::optional<store::WebhookEndpointRecord>;
  return onWebhooks<Found>(
      r, p,
      [id = p.id, tenantId = tenantOf(p)](store::WebhookStore& store) { return webhookForCaller(store, id, tenantId); },
      [](Found& endpoint) {
        if (!endpoint) {
          return problem(404, "webhook_not_found", "no webhook with this id");
        }
        return jsonResponse(200, endpointJson(*endpoint));
      });
}

// Audited first: the event is durable before the row goes, rather than deleting and putting
// the endpoint back when the event fails. deleteEndpoint also removes the endpoint's
// delivery log and pending deliveries, which an undo could not restore, and the dispatcher
// would miss whatever happened meanwhile. The price: when the delete itself then fails
// (503), the log records a deletion that did not happen; a retry deletes it.
HttpResponse RestApi::deleteWebhook(const HttpRequest& r, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  using Found = std::optional<store::WebhookEndpointRecord>;
  return onWebhooks<Found>(
      r, p,
      [id = p.id, tenantId = tenantOf(p)](store::WebhookStore& store) { return webhookForCaller(store, id, tenantId); },
      [this, r, p](Found& endpoint) {
        if (!endpoint) {
          return problem(404, "webhook_not_found", "no webhook with this id");
        }
        Actor actor = actorOf(p);
        clinic::AuditFacts event{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Delete,
                                 cp::AuditOutcome::Success, "webhook_delete", "", actor.id, actor.role,
                                 r.remoteAddress, "Endpoint/" + endpoint->id, "", std::nullopt};
        auto pending = DeferredResponse::create();
        clinic::auditLater(audit_, event, [this, r, p, pending, id = endpoint->id, by = actor.id](
                                              std::exception_ptr failure) {
          if (failure) {
            // A deletion that cannot be recorded does not happen.
            pending->answer(failureResponse(failure, RouteLabel{r.method, std::string(p.route)}));
            return;
          }
          // The event is durable: the row goes even when the pool is full (then on the
          // control thread's connection), so the log does not record a deletion that a
          // busy answer left undone. Gone meanwhile (another delete): 204 all the same.
          // Outside any handler's error boundary (the audit writer's completion): what
          // throws here becomes this request's error, not the loop's.
          try {
            pending->answer(onWebhooks<bool>(
                r, p, [id](store::WebhookStore& store) { return store.deleteEndpoint(id); },
                [id, by](bool&) {
                  log::info("webhook_deleted", {{"webhook", id}, {"by", by}});
                  HttpResponse res;
                  res.status = 204;
                  return res;
                },
                /*inlineWhenFull=*/true));
          } catch (...) {
            pending->answer(failureResponse(std::current_exception(), RouteLabel{r.method, std::string(p.route)}));
          }
        });
        return pending->response();
      });
}

HttpResponse RestApi::listWebhookDeliveries(const HttpRequest& r, const Params& p) {
  if (webhookStore_ == nullptr) {
    return notEnabled();
  }
  // nullopt: no such endpoint for this caller.
  using Deliveries = std::optional<std::vector<store::WebhookDeliveryRecord>>;
  return onWebhooks<Deliveries>(
      r, p,
      [id = p.id, tenantId = tenantOf(p)](store::WebhookStore& store) -> Deliveries {
        auto endpoint = webhookForCaller(store, id, tenantId);
        if (!endpoint) {
          return std::nullopt;
        }
        return store.listDeliveries(endpoint->tenantId, endpoint->id, kDeliveryLogRows);
      },
      [](Deliveries& deliveries) {
        if (!deliveries) {
          return problem(404, "webhook_not_found", "no webhook with this id");
        }
        json::array out;
        for (const auto& d : *deliveries) {
          out.push_back(deliveryJson(d));
        }
        return jsonResponse(200, json::object{{"deliveries", std::move(out)}});
      });
}

}  // namespace medrtc::signaling
