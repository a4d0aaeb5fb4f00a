#pragma once
// WebhookStore on PostgreSQL through a connection of its own (the dispatcher's thread, or
// the control thread's REST routes). Several nodes may share the queue: claimDue takes
// rows with FOR UPDATE SKIP LOCKED, so two nodes never lease the same delivery. The schema
// must already be migrated (PostgresStore does that at start).
#include <memory>
#include <string>

#include "store/webhook_store.hpp"

namespace medrtc::store {

class PgConnection;

class PostgresWebhookStore final : public WebhookStore {
 public:
  // Throws StoreFailure when the server cannot be reached.
  explicit PostgresWebhookStore(const std::string& url);
  ~PostgresWebhookStore() override;

  WebhookEndpointRecord createEndpoint(WebhookEndpointRecord endpoint) override;
  std::optional<WebhookEndpointRecord> findEndpoint(const std::string& id) override;
  std::vector<WebhookEndpointRecord> listEndpoints(const std::string& tenantId) override;
  bool deleteEndpoint(const std::string& id) override;
  bool enqueueDelivery(WebhookDeliveryRecord delivery, int64_t maxPending) override;
  std::vector<WebhookDeliveryRecord> claimDue(UnixMillis now, UnixMillis leaseMs, size_t limit) override;
  void recordAttempt(const WebhookDeliveryRecord& delivery) override;
  std::vector<WebhookDeliveryRecord> listDeliveries(const std::string& tenantId, const std::string& endpointId,
                                                    size_t limit) override;
  int64_t pruneDeliveries(UnixMillis before) override;

 private:
  std::unique_ptr<PgConnection> db_;
};

}  // namespace medrtc::store
