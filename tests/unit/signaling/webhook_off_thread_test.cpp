// Issue 10 item 7 (leftover): the /api/v1/webhooks routes run their store work on the
// store pool's webhook connections, and their events are written without blocking
// (recordLater), fail closed. As in rest_off_thread_test.cpp the RestApi's own connections
// (the control thread's Store and WebhookStore) fail every call, so any store call left on
// the control thread turns the answer into 503; the pool's connections are the real ones,
// and the pool posts its completions to the test thread.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>

#include "captured_log.hpp"
#include "common/random.hpp"
#include "failing_store.hpp"
#include "hub_test_doubles.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/api_key.hpp"
#include "store/sqlite_store.hpp"
#include "store/sqlite_webhook_store.hpp"
#include "store/store_pool.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

// The webhook tables' database is gone: every call throws StoreFailure.
class FailingWebhookStore final : public store::WebhookStore {
 public:
  store::WebhookEndpointRecord createEndpoint(store::WebhookEndpointRecord) override { down(); }
  std::optional<store::WebhookEndpointRecord> findEndpoint(const std::string&) override { down(); }
  std::vector<store::WebhookEndpointRecord> listEndpoints(const std::string&) override { down(); }
  bool deleteEndpoint(const std::string&) override { down(); }
  bool enqueueDelivery(store::WebhookDeliveryRecord, int64_t) override { down(); }
  std::vector<store::WebhookDeliveryRecord> claimDue(store::UnixMillis, store::UnixMillis, size_t) override { down(); }
  void recordAttempt(const store::WebhookDeliveryRecord&) override { down(); }
  std::vector<store::WebhookDeliveryRecord> listDeliveries(const std::string&, const std::string&, size_t) override {
    down();
  }
  int64_t pruneDeliveries(store::UnixMillis) override { down(); }

 private:
  [[noreturn]] static void down() { throw store::StoreFailure("database unreachable"); }
};

// The webhook tables are there, but a delete fails (the database went away after the
// create): everything else is SQLite's.
class DeleteFailingWebhookStore final : public store::WebhookStore {
 public:
  explicit DeleteFailingWebhookStore(const std::filesystem::path& db) : inner_(db) {}
  store::WebhookEndpointRecord createEndpoint(store::WebhookEndpointRecord e) override {
    return inner_.createEndpoint(std::move(e));
  }
  std::optional<store::WebhookEndpointRecord> findEndpoint(const std::string& id) override {
    return inner_.findEndpoint(id);
  }
  std::vector<store::WebhookEndpointRecord> listEndpoints(const std::string& tenantId) override {
    return inner_.listEndpoints(tenantId);
  }
  bool deleteEndpoint(const std::string&) override { throw store::StoreFailure("database unreachable"); }
  bool enqueueDelivery(store::WebhookDeliveryRecord d, int64_t max) override {
    return inner_.enqueueDelivery(std::move(d), max);
  }
  std::vector<store::WebhookDeliveryRecord> claimDue(store::UnixMillis now, store::UnixMillis lease,
                                                     size_t limit) override {
    return inner_.claimDue(now, lease, limit);
  }
  void recordAttempt(const store::WebhookDeliveryRecord& d) override { inner_.recordAttempt(d); }
  std::vector<store::WebhookDeliveryRecord> listDeliveries(const std::string& tenantId, const std::string& endpointId,
                                                           size_t limit) override {
    return inner_.listDeliveries(tenantId, endpointId, limit);
  }
  int64_t pruneDeliveries(store::UnixMillis before) override { return inner_.pruneDeliveries(before); }

 private:
  store::SqliteWebhookStore inner_;
};

// Writes each event, or (failing) fails it as a full disk would. With `post` set, the
// completion comes later, posted to the control thread as the audit writer's does.
class SwitchableAudit final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent event) override {
    if (failing) {
      throw std::runtime_error("audit disk full");
    }
    written.push_back(event.outcomeDesc);
  }
  void recordLater(compliance::AuditEvent event, Completion done) override {
    if (!post) {
      AuditSink::recordLater(std::move(event), std::move(done));
      return;
    }
    std::exception_ptr failure;
    try {
      record(std::move(event));
    } catch (...) {
      failure = std::current_exception();
    }
    post([done = std::move(done), failure] { done(failure); });
  }
  bool failing = false;
  std::vector<std::string> written;
  std::function<void(std::function<void()>)> post;
};

class WebhookOffThread : public ::testing::Test {
 protected:
  WebhookOffThread()
      : dir_(std::filesystem::temp_directory_path() / ("medrtc-wot-" + randomHex(6))),
        signer_(std::vector<uint8_t>(kTokenSecretBytes, 7), clock_) {
    std::filesystem::create_directories(dir_);
    int64_t now = 1'700'000'000;
    store::SqliteStore setup(dir_ / "medrtc.db");
    store::TenantRecord t;
    t.name = "Praxis";
    t.createdAt = now;
    tenant_ = setup.createTenant(t);
    apiKey_ = store::generateApiKey();
    store::registerApiKey(setup, apiKey_, "ehr", now, tenant_.id);
  }
  ~WebhookOffThread() override {
    if (pool_) {
      pool_->stop();
    }
    api_.reset();
    hub_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The pool's webhook connections are SQLite's, or (`webhooksDown`) gone, or
  // (`deletesDown`) fail deletes only.
  void start(bool webhooksDown = false, bool deletesDown = false) {
    pool_ = std::make_shared<store::StorePool>(
        1, 16,
        [this, webhooksDown, deletesDown] {
          std::unique_ptr<store::WebhookStore> webhooks;
          if (webhooksDown) {
            webhooks = std::make_unique<FailingWebhookStore>();
          } else if (deletesDown) {
            webhooks = std::make_unique<DeleteFailingWebhookStore>(dir_ / "medrtc.db");
          } else {
            webhooks = std::make_unique<store::SqliteWebhookStore>(dir_ / "medrtc.db");
          }
          return store::StorePool::Connections{std::make_unique<store::SqliteStore>(dir_ / "medrtc.db"),
                                               std::move(webhooks)};
        },
        [this](std::function<void()> task) { posted_.post(std::move(task)); });
    hub_ = std::make_unique<SignalingHub>(controlStore_, signer_, clock_);
    clinic::AuthPolicy policy;
    policy.storePool = pool_;
    api_ = std::make_unique<RestApi>(controlStore_, signer_, *hub_, clock_, /*devMode=*/false, &audit_,
                                     std::span<const uint8_t>{}, policy);
    webhooks::TargetPolicy targets;
    targets.allowPrivate = true;
    api_->setWebhooks(&controlWebhooks_, targets);
  }

  HttpRequest keyed(const std::string& method, const std::string& target, std::string body = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.authorization = "Bearer " + apiKey_;
    r.contentType = "application/json";
    r.host = "127.0.0.1";
    r.remoteAddress = "192.0.2.1";
    r.body = std::move(body);
    return r;
  }
  // Handles `r`: the answer comes only once the test thread runs what the pool posted.
  HttpResponse answer(const HttpRequest& r) {
    HttpResponse first = api_->handle(r);
    EXPECT_TRUE(first.deferred) << "answered at once (" << first.status << "): the store was used inline";
    if (!first.deferred) {
      return first;
    }
    std::optional<HttpResponse> later;
    first.deferred([&](const HttpResponse& res) { later = res; });
    while (!later && posted_.runOne()) {
    }
    EXPECT_TRUE(later) << "no answer came";
    return later.value_or(HttpResponse{});
  }
  std::string createOne() {
    HttpResponse res = answer(keyed("POST", "/api/v1/webhooks", R"({"url": "http://127.0.0.1:9/hook"})"));
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? std::string(json::parse(res.body).at("id").as_string()) : "";
  }
  std::vector<store::WebhookEndpointRecord> standing() {
    store::SqliteWebhookStore check(dir_ / "medrtc.db");
    return check.listEndpoints(tenant_.id);
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  JoinTokenSigner signer_;
  store::TenantRecord tenant_;
  std::string apiKey_;
  testing::FailingStore controlStore_;
  FailingWebhookStore controlWebhooks_;
  SwitchableAudit audit_;
  testing::PostedTasks posted_;
  std::shared_ptr<store::StorePool> pool_;
  std::unique_ptr<SignalingHub> hub_;
  std::unique_ptr<RestApi> api_;
};

json::object bodyOf(const HttpResponse& r) { return json::parse(r.body).as_object(); }

TEST_F(WebhookOffThread, TheFiveRoutesRunOnThePoolAndAreAudited) {
  start();
  std::string id = createOne();
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(standing().size(), 1u);

  HttpResponse list = answer(keyed("GET", "/api/v1/webhooks"));
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(bodyOf(list)["webhooks"].as_array().size(), 1u);
  HttpResponse one = answer(keyed("GET", "/api/v1/webhooks/" + id));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_FALSE(bodyOf(one).contains("secret")) << "the secret is shown once";
  HttpResponse deliveries = answer(keyed("GET", "/api/v1/webhooks/" + id + "/deliveries"));
  ASSERT_EQ(deliveries.status, 200) << deliveries.body;
  EXPECT_TRUE(bodyOf(deliveries)["deliveries"].as_array().empty());
  EXPECT_EQ(answer(keyed("GET", "/api/v1/webhooks/wh_0000000000000000/deliveries")).status, 404);

  EXPECT_EQ(answer(keyed("DELETE", "/api/v1/webhooks/" + id)).status, 204);
  EXPECT_TRUE(standing().empty());
  EXPECT_EQ(answer(keyed("GET", "/api/v1/webhooks/" + id)).status, 404);
  EXPECT_EQ(answer(keyed("DELETE", "/api/v1/webhooks/" + id)).status, 404);
  ASSERT_EQ(audit_.written.size(), 2u);
  EXPECT_EQ(audit_.written[0].rfind("webhook_create", 0), 0u) << audit_.written[0];
  EXPECT_EQ(audit_.written[1].rfind("webhook_delete", 0), 0u) << audit_.written[1];
}

// Fail closed: an endpoint whose creation cannot be recorded does not stand, and its
// secret was never shown.
TEST_F(WebhookOffThread, ACreateWhoseEventFailsLeavesNoEndpoint) {
  start();
  audit_.failing = true;
  HttpResponse res = answer(keyed("POST", "/api/v1/webhooks", R"({"url": "http://127.0.0.1:9/hook"})"));
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_EQ(res.contentType, "application/problem+json");
  EXPECT_EQ(bodyOf(res)["code"].as_string(), "internal");
  EXPECT_EQ(res.body.find("whsec_"), std::string::npos) << "the secret of an endpoint that does not stand";
  EXPECT_TRUE(standing().empty()) << "the endpoint outlived its failed event";
}

// The undo of a create whose event failed fails too: the endpoint stands, unaudited, and
// the log says so (error), not that the create was undone.
TEST_F(WebhookOffThread, ACreateWhoseEventAndUndoFailSaysItStandsUnaudited) {
  start(/*webhooksDown=*/false, /*deletesDown=*/true);
  audit_.failing = true;
  testing::CapturedLog log;
  HttpResponse res = answer(keyed("POST", "/api/v1/webhooks", R"({"url": "http://127.0.0.1:9/hook"})"));
  EXPECT_GE(res.status, 500) << res.body;
  EXPECT_EQ(res.contentType, "application/problem+json");
  EXPECT_EQ(res.body.find("whsec_"), std::string::npos) << "the secret of an endpoint that was never audited";
  ASSERT_EQ(standing().size(), 1u);
  std::string text = log.text();
  EXPECT_NE(text.find("webhook_create_unaudited"), std::string::npos) << text;
  EXPECT_EQ(text.find("webhook_create_undone"), std::string::npos) << "the log says undone, the endpoint stands";
}

// The create's event completion runs from the audit writer, outside any handler's error
// boundary: what throws while it answers (here the HTTP session's writer) becomes the
// request's error and does not escape the event loop.
TEST_F(WebhookOffThread, WhatThrowsInTheCreatesEventCompletionStaysInTheRequest) {
  start();
  audit_.post = [this](std::function<void()> task) { posted_.post(std::move(task)); };
  HttpResponse first = api_->handle(keyed("POST", "/api/v1/webhooks", R"({"url": "http://127.0.0.1:9/hook"})"));
  ASSERT_TRUE(first.deferred);
  int writes = 0;
  first.deferred([&writes](const HttpResponse&) {
    ++writes;
    throw std::runtime_error("the session's write failed");
  });
  EXPECT_NO_THROW({
    while (writes == 0 && posted_.runOne()) {
    }
  }) << "an exception escaped the audit completion into the event loop";
  EXPECT_EQ(writes, 1);
  EXPECT_EQ(audit_.written.size(), 1u);
}

// A deletion that cannot be recorded does not happen (the event comes first).
TEST_F(WebhookOffThread, ADeleteWhoseEventFailsLeavesTheEndpoint) {
  start();
  std::string id = createOne();
  audit_.failing = true;
  HttpResponse res = answer(keyed("DELETE", "/api/v1/webhooks/" + id));
  EXPECT_EQ(res.status, 500) << res.body;
  EXPECT_EQ(res.contentType, "application/problem+json");
  ASSERT_EQ(standing().size(), 1u) << "deleted without a record";
  audit_.failing = false;
  EXPECT_EQ(answer(keyed("DELETE", "/api/v1/webhooks/" + id)).status, 204);
  EXPECT_TRUE(standing().empty());
}

TEST_F(WebhookOffThread, TheTwentyFirstEndpointIsRefusedOnThePool) {
  start();
  for (int i = 0; i < 20; ++i) {
    createOne();
  }
  HttpResponse res = answer(keyed("POST", "/api/v1/webhooks", R"({"url": "http://127.0.0.1:9/hook"})"));
  EXPECT_EQ(res.status, 409) << res.body;
  EXPECT_EQ(bodyOf(res)["code"].as_string(), "webhook_limit");
  EXPECT_EQ(standing().size(), 20u);
  EXPECT_EQ(audit_.written.size(), 20u);
}

// The pool's webhook connection fails: each route answers 503 problem+json, and a create
// is not audited (nothing was stored).
TEST_F(WebhookOffThread, AStoreFailureOnThePoolAnswers503) {
  start(/*webhooksDown=*/true);
  for (auto [method, target] : {std::pair{"GET", "/api/v1/webhooks"}, std::pair{"POST", "/api/v1/webhooks"},
                                std::pair{"GET", "/api/v1/webhooks/wh_0000000000000000"},
                                std::pair{"DELETE", "/api/v1/webhooks/wh_0000000000000000"},
                                std::pair{"GET", "/api/v1/webhooks/wh_0000000000000000/deliveries"}}) {
    HttpResponse res =
        answer(keyed(method, target, std::string(method) == "POST" ? R"({"url": "http://127.0.0.1:9/hook"})" : ""));
    EXPECT_EQ(res.status, 503) << method << " " << target << ": " << res.body;
    EXPECT_EQ(res.contentType, "application/problem+json");
    EXPECT_EQ(bodyOf(res)["code"].as_string(), "store_unavailable") << method << " " << target;
  }
  EXPECT_TRUE(audit_.written.empty());
}

}  // namespace
}  // namespace medrtc::signaling
