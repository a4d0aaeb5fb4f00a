#pragma once
// Webhook endpoints and the durable delivery queue (migration 5, docs/operations.md
// "Webhooks"). A store of its own beside Store: the dispatcher runs on its own thread with
// its own connection (SQLite WAL and PostgreSQL both take a second one), and the control
// thread keeps another for the REST routes. Failures throw StoreFailure, as Store does.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace medrtc::store {

// Unix milliseconds: the queue's clock (retries start at fractions of a second).
using UnixMillis = int64_t;

struct WebhookEndpointRecord {
  std::string id;        // "wh_" + 16 hex
  std::string tenantId;  // "" : a node-operator key's endpoint (rooms without a tenant)
  std::string url;
  std::string secret;    // "whsec_" + base64 (Standard Webhooks)
  std::vector<std::string> events;  // subscribed event types; empty: all
  bool includeNames = false;        // opt-in: display names and identities in bodies
  std::string createdBy;            // "ApiKey/ak_.." or "Practitioner/u_.."
  UnixSeconds createdAt = 0;
};

struct WebhookDeliveryRecord {
  std::string id;  // "whd_" + 16 hex
  std::string endpointId;
  std::string tenantId;
  std::string eventId;  // the webhook-id header, the same on every retry
  std::string eventType;
  std::string payload;  // the exact JSON body that is signed
  std::string status;   // "pending" | "delivered" | "failed"
  int attempts = 0;
  UnixMillis nextAttemptAt = 0;
  int lastStatus = 0;  // the last HTTP status (0: no answer)
  std::string lastError;  // a code ("timeout", "connect", "http_503", "queue_full"), never a body
  UnixMillis createdAt = 0;
  UnixMillis updatedAt = 0;
};

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // Endpoints. createEndpoint fills id (when empty).
  virtual WebhookEndpointRecord createEndpoint(WebhookEndpointRecord endpoint) = 0;
  virtual std::optional<WebhookEndpointRecord> findEndpoint(const std::string& id) = 0;
  // A tenant's endpoints ("" : the node-operator keys'), by creation.
  virtual std::vector<WebhookEndpointRecord> listEndpoints(const std::string& tenantId) = 0;
  // Removes the endpoint and its deliveries, pending or logged; false if unknown id.
  virtual bool deleteEndpoint(const std::string& id) = 0;

  // The queue. enqueue stores the delivery as given while the endpoint has fewer than
  // `maxPending` pending ones; past that bound it is stored as failed "queue_full" (the
  // log shows the drop) and false comes back.
  virtual bool enqueueDelivery(WebhookDeliveryRecord delivery, int64_t maxPending) = 0;
  // Up to `limit` pending deliveries due at `now`, oldest due first, each leased until
  // now + leaseMs (another node sharing the database, or this one after a crash, retries
  // it only after the lease). At least once: a lease that runs out is delivered again.
  virtual std::vector<WebhookDeliveryRecord> claimDue(UnixMillis now, UnixMillis leaseMs, size_t limit) = 0;
  // The outcome of one attempt: status, attempts, nextAttemptAt, lastStatus, lastError and
  // updatedAt of `delivery` are written.
  virtual void recordAttempt(const WebhookDeliveryRecord& delivery) = 0;
  // The delivery log: a tenant's newest deliveries first, of one endpoint when
  // `endpointId` is not empty.
  virtual std::vector<WebhookDeliveryRecord> listDeliveries(const std::string& tenantId,
                                                            const std::string& endpointId, size_t limit) = 0;
  // Deletes delivered and failed rows last updated before `before`; returns how many.
  virtual int64_t pruneDeliveries(UnixMillis before) = 0;
};

// "a,b" <-> {"a","b"}: how endpoints keep their event list in one column.
std::string joinEvents(const std::vector<std::string>& events);
std::vector<std::string> splitEvents(const std::string& column);

}  // namespace medrtc::store
