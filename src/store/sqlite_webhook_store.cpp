#include "store/sqlite_webhook_store.hpp"

#include <sqlite3.h>

#include "common/random.hpp"
#include "store/sqlite_statement.hpp"

namespace medrtc::store {

namespace {

using Stmt = sqlite::Statement;

constexpr const char* kEndpointColumns =
    "SELECT id, tenant_id, url, secret, events, include_names, created_by, created_at FROM webhook_endpoints ";
WebhookEndpointRecord readEndpoint(Stmt& s) {
  return WebhookEndpointRecord{s.text(0), s.text(1), s.text(2),           s.text(3),
                               splitEvents(s.text(4)), s.integer(5) != 0, s.text(6), s.integer(7)};
}

constexpr const char* kDeliveryColumns =
    "SELECT id, endpoint_id, tenant_id, event_id, event_type, payload, status, attempts, next_attempt_ms, "
    "last_status, last_error, created_ms, updated_ms FROM webhook_deliveries ";
WebhookDeliveryRecord readDelivery(Stmt& s) {
  WebhookDeliveryRecord d;
  d.id = s.text(0);
  d.endpointId = s.text(1);
  d.tenantId = s.text(2);
  d.eventId = s.text(3);
  d.eventType = s.text(4);
  d.payload = s.text(5);
  d.status = s.text(6);
  d.attempts = static_cast<int>(s.integer(7));
  d.nextAttemptAt = s.integer(8);
  d.lastStatus = static_cast<int>(s.integer(9));
  d.lastError = s.text(10);
  d.createdAt = s.integer(11);
  d.updatedAt = s.integer(12);
  return d;
}

}  // namespace

SqliteWebhookStore::SqliteWebhookStore(const std::filesystem::path& dbFile) {
  int rc = sqlite3_open_v2(dbFile.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreFailure("cannot open " + dbFile.string() + ": " + msg);
  }
  // The control thread's connection (and the CLI) may hold the write lock for a moment.
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA secure_delete=ON");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteWebhookStore::~SqliteWebhookStore() { sqlite3_close(db_); }

void SqliteWebhookStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreFailure("sqlite: " + msg);
  }
}

WebhookEndpointRecord SqliteWebhookStore::createEndpoint(WebhookEndpointRecord e) {
  if (e.id.empty()) {
    e.id = "wh_" + randomHex(8);
  }
  Stmt s(db_,
         "INSERT INTO webhook_endpoints (id, tenant_id, url, secret, events, include_names, created_by, created_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, e.id).bind(2, e.tenantId).bind(3, e.url).bind(4, e.secret).bind(5, joinEvents(e.events));
  s.bind(6, int64_t{e.includeNames}).bind(7, e.createdBy).bind(8, e.createdAt).step();
  return e;
}

std::optional<WebhookEndpointRecord> SqliteWebhookStore::findEndpoint(const std::string& id) {
  Stmt s(db_, std::string(kEndpointColumns) + "WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) {
    return std::nullopt;
  }
  return readEndpoint(s);
}

std::vector<WebhookEndpointRecord> SqliteWebhookStore::listEndpoints(const std::string& tenantId) {
  Stmt s(db_, std::string(kEndpointColumns) + "WHERE tenant_id = ? ORDER BY created_at, id");
  s.bind(1, tenantId);
  std::vector<WebhookEndpointRecord> out;
  while (s.step()) {
    out.push_back(readEndpoint(s));
  }
  return out;
}

bool SqliteWebhookStore::deleteEndpoint(const std::string& id) {
  exec("BEGIN IMMEDIATE");
  try {
    Stmt(db_, "DELETE FROM webhook_deliveries WHERE endpoint_id = ?").bind(1, id).step();
    Stmt s(db_, "DELETE FROM webhook_endpoints WHERE id = ?");
    s.bind(1, id).step();
    bool removed = sqlite3_changes(db_) > 0;
    exec("COMMIT");
    return removed;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

bool SqliteWebhookStore::enqueueDelivery(WebhookDeliveryRecord d, int64_t maxPending) {
  if (d.id.empty()) {
    d.id = "whd_" + randomHex(8);
  }
  // One transaction: the count and the insert see the same queue.
  exec("BEGIN IMMEDIATE");
  try {
    Stmt count(db_, "SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = ? AND status = 'pending'");
    count.bind(1, d.endpointId).step();
    bool accepted = count.integer(0) < maxPending;
    if (!accepted) {
      d.status = "failed";
      d.lastError = "queue_full";
    }
    Stmt s(db_,
           "INSERT INTO webhook_deliveries (id, endpoint_id, tenant_id, event_id, event_type, payload, status, "
           "attempts, next_attempt_ms, last_status, last_error, created_ms, updated_ms) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, d.id).bind(2, d.endpointId).bind(3, d.tenantId).bind(4, d.eventId).bind(5, d.eventType);
    s.bind(6, d.payload).bind(7, d.status).bind(8, int64_t{d.attempts}).bind(9, d.nextAttemptAt);
    s.bind(10, int64_t{d.lastStatus}).bind(11, d.lastError).bind(12, d.createdAt).bind(13, d.updatedAt).step();
    exec("COMMIT");
    return accepted;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<WebhookDeliveryRecord> SqliteWebhookStore::claimDue(UnixMillis now, UnixMillis leaseMs, size_t limit) {
  exec("BEGIN IMMEDIATE");
  try {
    std::vector<WebhookDeliveryRecord> out;
    {
      Stmt s(db_, std::string(kDeliveryColumns) +
                      "WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?");
      s.bind(1, now).bind(2, static_cast<int64_t>(limit));
      while (s.step()) {
        out.push_back(readDelivery(s));
      }
    }
    for (WebhookDeliveryRecord& d : out) {
      d.nextAttemptAt = now + leaseMs;
      Stmt(db_, "UPDATE webhook_deliveries SET next_attempt_ms = ? WHERE id = ?")
          .bind(1, d.nextAttemptAt)
          .bind(2, d.id)
          .step();
    }
    exec("COMMIT");
    return out;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteWebhookStore::recordAttempt(const WebhookDeliveryRecord& d) {
  Stmt s(db_,
         "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_ms = ?, last_status = ?, "
         "last_error = ?, updated_ms = ? WHERE id = ?");
  s.bind(1, d.status).bind(2, int64_t{d.attempts}).bind(3, d.nextAttemptAt).bind(4, int64_t{d.lastStatus});
  s.bind(5, d.lastError).bind(6, d.updatedAt).bind(7, d.id).step();
}

std::vector<WebhookDeliveryRecord> SqliteWebhookStore::listDeliveries(const std::string& tenantId,
                                                                      const std::string& endpointId, size_t limit) {
  Stmt s(db_, std::string(kDeliveryColumns) +
                  "WHERE tenant_id = ? AND (? = '' OR endpoint_id = ?) ORDER BY created_ms DESC, id DESC LIMIT ?");
  s.bind(1, tenantId).bind(2, endpointId).bind(3, endpointId).bind(4, static_cast<int64_t>(limit));
  std::vector<WebhookDeliveryRecord> out;
  while (s.step()) {
    out.push_back(readDelivery(s));
  }
  return out;
}

int64_t SqliteWebhookStore::pruneDeliveries(UnixMillis before) {
  Stmt s(db_, "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND updated_ms < ?");
  s.bind(1, before).step();
  return sqlite3_changes(db_);
}

}  // namespace medrtc::store
