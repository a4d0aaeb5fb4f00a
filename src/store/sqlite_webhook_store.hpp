#pragma once
// WebhookStore on the node's SQLite file (data-dir/medrtc.db), through a connection of its
// own: the dispatcher thread and the control thread each open one (WAL lets them read
// while the other writes; writers wait on the busy timeout). The schema must already be
// migrated: open SqliteStore on the file first, as `medrtc serve` does.
#include <filesystem>

#include "store/webhook_store.hpp"

struct sqlite3;

namespace medrtc::store {

class SqliteWebhookStore final : public WebhookStore {
 public:
  // Throws StoreFailure when the file cannot be opened.
  explicit SqliteWebhookStore(const std::filesystem::path& dbFile);
  ~SqliteWebhookStore() override;
  SqliteWebhookStore(const SqliteWebhookStore&) = delete;
  SqliteWebhookStore& operator=(const SqliteWebhookStore&) = delete;

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
  void exec(const char* sql);

  sqlite3* db_ = nullptr;
};

}  // namespace medrtc::store
