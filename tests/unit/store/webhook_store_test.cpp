// The webhook tables on every backend: endpoints per tenant, and the delivery queue that a
// restart must not lose (issue 15 item 3): pending rows survive closing every connection,
// a claim leases them, the bound per endpoint logs drops, and the log lists newest first.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "compliance/sync_gate.hpp"
#include "store/store_pool.hpp"
#include "store_fixture.hpp"

namespace medrtc::store::testing {
namespace {

WebhookEndpointRecord endpointOf(const std::string& tenantId, const std::string& url) {
  WebhookEndpointRecord e;
  e.tenantId = tenantId;
  e.url = url;
  e.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  e.events = {"room_started", "participant_joined"};
  e.includeNames = true;
  e.createdBy = "ApiKey/ak_1";
  e.createdAt = 10;
  return e;
}

WebhookDeliveryRecord deliveryOf(const WebhookEndpointRecord& e, const std::string& eventId, UnixMillis at) {
  WebhookDeliveryRecord d;
  d.endpointId = e.id;
  d.tenantId = e.tenantId;
  d.eventId = eventId;
  d.eventType = "room_started";
  d.payload = R"({"type":"room_started"})";
  d.status = "pending";
  d.nextAttemptAt = at;
  d.createdAt = at;
  d.updatedAt = at;
  return d;
}

// The /api/v1/webhooks routes' store work (issue 10 item 7): each pool thread has a
// webhook connection of its own beside its store, and writes through one are visible to
// another connection (the dispatcher's) at once.
TEST_P(StoreTest, ThePoolsThreadsEachRunWebhookJobsOnTheirOwnConnection) {
  store();  // migrates
  compliance::testing::PostedTasks posted;
  StorePool pool(
      2, 16, [this] { return StorePool::Connections{db().open(), db().openWebhooks()}; }, posted.poster());
  ASSERT_TRUE(pool.hasWebhooks());
  std::mutex mutex;
  std::set<std::thread::id> workers;
  int done = 0;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(pool.submitWebhooks(
        [&, i](WebhookStore& hooks) {
          hooks.createEndpoint(endpointOf("t_a", "https://a.example/hook" + std::to_string(i)));
          std::lock_guard lock(mutex);
          workers.insert(std::this_thread::get_id());
        },
        [&] { ++done; }));
  }
  ASSERT_TRUE(posted.runUntil([&] { return done == 6; }));
  EXPECT_EQ(workers.count(std::this_thread::get_id()), 0u);
  EXPECT_EQ(db().openWebhooks()->listEndpoints("t_a").size(), 6u);
  pool.stop();

  // A pool opened without webhook connections takes no webhook job.
  StorePool storesOnly(1, 16, [this] { return db().open(); }, posted.poster());
  EXPECT_FALSE(storesOnly.hasWebhooks());
  EXPECT_FALSE(storesOnly.submitWebhooks([](WebhookStore&) {}, [] {}));
}

TEST_P(StoreTest, WebhookEndpointsBelongToTheirTenant) {
  store();  // migrates
  auto hooks = db().openWebhooks();
  WebhookEndpointRecord a = hooks->createEndpoint(endpointOf("t_a", "https://a.example/hook"));
  hooks->createEndpoint(endpointOf("", "https://operator.example/hook"));
  EXPECT_EQ(a.id.rfind("wh_", 0), 0u);
  auto listed = hooks->listEndpoints("t_a");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].url, "https://a.example/hook");
  EXPECT_EQ(listed[0].events, (std::vector<std::string>{"room_started", "participant_joined"}));
  EXPECT_TRUE(listed[0].includeNames);
  EXPECT_EQ(listed[0].secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  EXPECT_EQ(hooks->listEndpoints("").size(), 1u);
  EXPECT_TRUE(hooks->listEndpoints("t_b").empty());
  hooks->enqueueDelivery(deliveryOf(a, "msg_1", 100), 10);
  EXPECT_TRUE(hooks->deleteEndpoint(a.id));
  EXPECT_FALSE(hooks->deleteEndpoint(a.id));
  EXPECT_FALSE(hooks->findEndpoint(a.id));
  EXPECT_TRUE(hooks->listDeliveries("t_a", "", 10).empty()) << "deliveries go with their endpoint";
}

TEST_P(StoreTest, PendingWebhookDeliveriesSurviveARestartAndAreLeasedWhenClaimed) {
  store();
  WebhookEndpointRecord e;
  {
    auto hooks = db().openWebhooks();
    e = hooks->createEndpoint(endpointOf("t_a", "https://a.example/hook"));
    EXPECT_TRUE(hooks->enqueueDelivery(deliveryOf(e, "msg_1", 1000), 10));
    EXPECT_TRUE(hooks->enqueueDelivery(deliveryOf(e, "msg_2", 2000), 10));
  }
  // The server stops: every connection goes, then it starts again on the same database.
  db().dropConnections();
  reopen();
  auto hooks = db().openWebhooks();
  EXPECT_TRUE(hooks->claimDue(999, 60'000, 10).empty()) << "nothing due yet";
  auto due = hooks->claimDue(1500, 60'000, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].eventId, "msg_1");
  EXPECT_EQ(due[0].payload, R"({"type":"room_started"})");
  EXPECT_EQ(due[0].nextAttemptAt, 61'500);
  // Leased: another claim (another node, or this one before the lease ends) skips it.
  auto next = hooks->claimDue(3000, 60'000, 10);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].eventId, "msg_2");
  // A crash mid-delivery: after the lease it is due again (at least once).
  auto again = hooks->claimDue(61'500, 60'000, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].eventId, "msg_1");

  WebhookDeliveryRecord done = again[0];
  done.status = "delivered";
  done.attempts = 2;
  done.lastStatus = 204;
  done.updatedAt = 61'600;
  hooks->recordAttempt(done);
  WebhookDeliveryRecord retry = next[0];
  retry.attempts = 1;
  retry.lastStatus = 503;
  retry.lastError = "http_503";
  retry.nextAttemptAt = 70'000;
  retry.updatedAt = 3'100;
  hooks->recordAttempt(retry);
  EXPECT_TRUE(hooks->claimDue(69'999, 60'000, 10).empty());
  EXPECT_EQ(hooks->claimDue(70'000, 60'000, 10).size(), 1u);

  auto log = hooks->listDeliveries("t_a", e.id, 10);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].eventId, "msg_2") << "newest first";
  EXPECT_EQ(log[0].lastError, "http_503");
  EXPECT_EQ(log[1].status, "delivered");
  EXPECT_EQ(log[1].attempts, 2);
  EXPECT_TRUE(hooks->listDeliveries("t_b", "", 10).empty());
  EXPECT_EQ(hooks->pruneDeliveries(61'601), 1) << "only finished rows are pruned";
  EXPECT_EQ(hooks->listDeliveries("t_a", "", 10).size(), 1u);
}

TEST_P(StoreTest, AFullWebhookQueueLogsTheDropInsteadOfGrowing) {
  store();
  auto hooks = db().openWebhooks();
  WebhookEndpointRecord e = hooks->createEndpoint(endpointOf("t_a", "https://a.example/hook"));
  WebhookEndpointRecord other = hooks->createEndpoint(endpointOf("t_a", "https://b.example/hook"));
  EXPECT_TRUE(hooks->enqueueDelivery(deliveryOf(e, "msg_1", 1), 2));
  EXPECT_TRUE(hooks->enqueueDelivery(deliveryOf(e, "msg_2", 2), 2));
  EXPECT_FALSE(hooks->enqueueDelivery(deliveryOf(e, "msg_3", 3), 2));
  EXPECT_TRUE(hooks->enqueueDelivery(deliveryOf(other, "msg_3", 3), 2)) << "the bound is per endpoint";
  auto log = hooks->listDeliveries("t_a", e.id, 10);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].status, "failed");
  EXPECT_EQ(log[0].lastError, "queue_full");
  EXPECT_EQ(hooks->claimDue(10, 1000, 10).size(), 3u) << "the dropped one is not delivered";
}

}  // namespace
}  // namespace medrtc::store::testing
