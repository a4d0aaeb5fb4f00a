#include "store/postgres/postgres_webhook_store.hpp"

#include "common/random.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_rows.hpp"

namespace medrtc::store {

namespace {

constexpr const char* kEndpointColumns = "id, tenant_id, url, secret, events, include_names, created_by, created_at";
WebhookEndpointRecord readEndpoint(const pqxx::row& r) {
  return WebhookEndpointRecord{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                               r[3].as<std::string>(), splitEvents(r[4].as<std::string>()), r[5].as<bool>(),
                               r[6].as<std::string>(), r[7].as<int64_t>()};
}

constexpr const char* kDeliveryColumns =
    "id, endpoint_id, tenant_id, event_id, event_type, payload, status, attempts, next_attempt_ms, last_status, "
    "last_error, created_ms, updated_ms";
WebhookDeliveryRecord readDelivery(const pqxx::row& r) {
  WebhookDeliveryRecord d;
  d.id = r[0].as<std::string>();
  d.endpointId = r[1].as<std::string>();
  d.tenantId = r[2].as<std::string>();
  d.eventId = r[3].as<std::string>();
  d.eventType = r[4].as<std::string>();
  d.payload = r[5].as<std::string>();
  d.status = r[6].as<std::string>();
  d.attempts = r[7].as<int>();
  d.nextAttemptAt = r[8].as<int64_t>();
  d.lastStatus = r[9].as<int>();
  d.lastError = r[10].as<std::string>();
  d.createdAt = r[11].as<int64_t>();
  d.updatedAt = r[12].as<int64_t>();
  return d;
}

}  // namespace

PostgresWebhookStore::PostgresWebhookStore(const std::string& url) : db_(std::make_unique<PgConnection>(url)) {}

PostgresWebhookStore::~PostgresWebhookStore() = default;

WebhookEndpointRecord PostgresWebhookStore::createEndpoint(WebhookEndpointRecord e) {
  if (e.id.empty()) {
    e.id = "wh_" + randomHex(8);
  }
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(
        "INSERT INTO webhook_endpoints (id, tenant_id, url, secret, events, include_names, created_by, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        e.id, e.tenantId, e.url, e.secret, joinEvents(e.events), e.includeNames, e.createdBy, e.createdAt);
  });
  return e;
}

std::optional<WebhookEndpointRecord> PostgresWebhookStore::findEndpoint(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    return pg::findOne(txn, pg::select(kEndpointColumns, "webhook_endpoints", "WHERE id = $1"), readEndpoint, id);
  });
}

std::vector<WebhookEndpointRecord> PostgresWebhookStore::listEndpoints(const std::string& tenantId) {
  return db_->transact([&](pqxx::work& txn) {
    return pg::findAll(txn,
                       pg::select(kEndpointColumns, "webhook_endpoints", "WHERE tenant_id = $1 ORDER BY created_at, id"),
                       readEndpoint, tenantId);
  });
}

bool PostgresWebhookStore::deleteEndpoint(const std::string& id) {
  return db_->transact([&](pqxx::work& txn) {
    txn.exec_params("DELETE FROM webhook_deliveries WHERE endpoint_id = $1", id);
    return txn.exec_params("DELETE FROM webhook_endpoints WHERE id = $1", id).affected_rows() > 0;
  });
}

bool PostgresWebhookStore::enqueueDelivery(WebhookDeliveryRecord d, int64_t maxPending) {
  if (d.id.empty()) {
    d.id = "whd_" + randomHex(8);
  }
  return db_->transact([&](pqxx::work& txn) {
    // Serialises enqueues per endpoint, so two nodes cannot both pass the bound.
    txn.exec_params("SELECT pg_advisory_xact_lock(hashtext('medrtc.webhook.' || $1))", d.endpointId);
    int64_t pending =
        txn.exec_params("SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'",
                        d.endpointId)[0][0]
            .as<int64_t>();
    bool accepted = pending < maxPending;
    WebhookDeliveryRecord row = d;
    if (!accepted) {
      row.status = "failed";
      row.lastError = "queue_full";
    }
    txn.exec_params(
        "INSERT INTO webhook_deliveries (id, endpoint_id, tenant_id, event_id, event_type, payload, status, attempts, "
        "next_attempt_ms, last_status, last_error, created_ms, updated_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        row.id, row.endpointId, row.tenantId, row.eventId, row.eventType, row.payload, row.status, row.attempts,
        row.nextAttemptAt, row.lastStatus, row.lastError, row.createdAt, row.updatedAt);
    return accepted;
  });
}

std::vector<WebhookDeliveryRecord> PostgresWebhookStore::claimDue(UnixMillis now, UnixMillis leaseMs, size_t limit) {
  return db_->transact([&](pqxx::work& txn) {
    return pg::findAll(txn,
                       std::string("UPDATE webhook_deliveries SET next_attempt_ms = $1 WHERE id IN (SELECT id FROM "
                                   "webhook_deliveries WHERE status = 'pending' AND next_attempt_ms <= $2 "
                                   "ORDER BY next_attempt_ms, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ") +
                           kDeliveryColumns,
                       readDelivery, now + leaseMs, now, static_cast<int64_t>(limit));
  });
}

void PostgresWebhookStore::recordAttempt(const WebhookDeliveryRecord& d) {
  db_->transact([&](pqxx::work& txn) {
    txn.exec_params(
        "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_ms = $3, last_status = $4, "
        "last_error = $5, updated_ms = $6 WHERE id = $7",
        d.status, d.attempts, d.nextAttemptAt, d.lastStatus, d.lastError, d.updatedAt, d.id);
  });
}

std::vector<WebhookDeliveryRecord> PostgresWebhookStore::listDeliveries(const std::string& tenantId,
                                                                        const std::string& endpointId, size_t limit) {
  return db_->transact([&](pqxx::work& txn) {
    return pg::findAll(txn,
                       pg::select(kDeliveryColumns, "webhook_deliveries",
                                  "WHERE tenant_id = $1 AND ($2 = '' OR endpoint_id = $2) "
                                  "ORDER BY created_ms DESC, id DESC LIMIT $3"),
                       readDelivery, tenantId, endpointId, static_cast<int64_t>(limit));
  });
}

int64_t PostgresWebhookStore::pruneDeliveries(UnixMillis before) {
  return db_->transact([&](pqxx::work& txn) {
    return static_cast<int64_t>(
        txn.exec_params("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND updated_ms < $1", before)
            .affected_rows());
  });
}

}  // namespace medrtc::store
