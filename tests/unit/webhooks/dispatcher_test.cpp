// The dispatcher against a local HTTP receiver: retries with the same webhook-id and a
// fresh signature per attempt until a 2xx, the resolved address checked against the
// target policy at delivery, and stop() writing every emitted event into the queue.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/random.hpp"
#include "store/sqlite_store.hpp"
#include "store/sqlite_webhook_store.hpp"
#include "webhooks/dispatcher.hpp"
#include "webhooks/signature.hpp"

namespace medrtc::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Received {
  std::string id;
  std::string timestamp;
  std::string signature;
  std::string body;
};

// Answers 503 to the first `failures` requests, 204 after; one request per connection.
class Receiver {
 public:
  explicit Receiver(int failures)
      : failures_(failures), acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Receiver() {
    stopping_ = true;
    beast::error_code ignored;
    // Wake accept() with a connection of our own.
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  void run() {
    while (!stopping_) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) {
        return;
      }
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) {
        continue;
      }
      bool fail = false;
      {
        std::lock_guard lock(mutex_);
        received_.push_back({std::string(req["webhook-id"]), std::string(req["webhook-timestamp"]),
                             std::string(req["webhook-signature"]), req.body()});
        fail = static_cast<int>(received_.size()) <= failures_;
      }
      http::response<http::empty_body> res{fail ? http::status::service_unavailable : http::status::no_content, 11};
      res.prepare_payload();
      http::write(socket, res, ec);
    }
  }

  int failures_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<Received> received_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : dir_(std::filesystem::temp_directory_path() / ("medrtc-wh-" + randomHex(6))) {
    std::filesystem::create_directories(dir_);
    store::SqliteStore migrate(db());
    hooks_ = std::make_unique<store::SqliteWebhookStore>(db());
  }
  ~DispatcherTest() override {
    hooks_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path db() const { return dir_ / "medrtc.db"; }
  store::WebhookEndpointRecord endpoint(uint16_t port) {
    store::WebhookEndpointRecord e;
    e.tenantId = "t_1";
    e.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
    e.secret = newSecret();
    e.createdAt = 1;
    return hooks_->createEndpoint(e);
  }
  std::unique_ptr<WebhookDispatcher> dispatcher(bool allowPrivate) {
    DispatcherOptions o;
    o.retry.base = std::chrono::milliseconds(20);
    o.targets.allowPrivate = allowPrivate;
    o.pollInterval = std::chrono::milliseconds(10);
    o.requestTimeout = std::chrono::milliseconds(2000);
    return std::make_unique<WebhookDispatcher>(std::make_unique<store::SqliteWebhookStore>(db()), o);
  }
  static Event roomStarted() {
    Event e;
    e.type = EventType::kRoomStarted;
    e.tenantId = "t_1";
    e.roomId = "r_1";
    return e;
  }
  template <typename F>
  static bool waitUntil(F done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteWebhookStore> hooks_;
};

TEST_F(DispatcherTest, RetriesUntilA2xxWithTheSameIdAndAFreshSignaturePerAttempt) {
  Receiver receiver(2);
  auto e = endpoint(receiver.port());
  auto d = dispatcher(true);
  d->start();
  d->emit(roomStarted());
  ASSERT_TRUE(waitUntil([&] { return receiver.received().size() >= 3; }));
  ASSERT_TRUE(waitUntil([&] { return hooks_->listDeliveries("t_1", e.id, 10).at(0).status == "delivered"; }));
  d->stop();
  auto got = receiver.received();
  ASSERT_EQ(got.size(), 3u) << "no attempt after the 2xx";
  for (const Received& r : got) {
    EXPECT_EQ(r.id, got[0].id);
    EXPECT_EQ(r.id.rfind("msg_", 0), 0u);
    EXPECT_EQ(sign(e.secret, r.id, std::stoll(r.timestamp), r.body), r.signature);
    EXPECT_NE(r.body.find(R"("type":"room_started")"), std::string::npos);
  }
  auto log = hooks_->listDeliveries("t_1", e.id, 10);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].attempts, 3);
  EXPECT_EQ(log[0].lastStatus, 204);
}

TEST_F(DispatcherTest, AddressesThePolicyRefusesAreNotContactedAtDelivery) {
  Receiver receiver(0);
  auto e = endpoint(receiver.port());  // stored directly: a URL accepted before the policy tightened
  auto d = dispatcher(false);
  d->start();
  d->emit(roomStarted());
  ASSERT_TRUE(waitUntil([&] {
    auto log = hooks_->listDeliveries("t_1", e.id, 10);
    return !log.empty() && log[0].lastError == "target_refused";
  }));
  d->stop();
  EXPECT_TRUE(receiver.received().empty());
}

TEST_F(DispatcherTest, StopWritesEveryEmittedEventToTheQueueForTheNextStart) {
  auto e = endpoint(9);  // nobody listens: the first attempt fails, the delivery stays
  {
    auto d = dispatcher(true);
    d->start();
    for (int i = 0; i < 20; ++i) {
      d->emit(roomStarted());
    }
    d->stop();
  }
  auto log = hooks_->listDeliveries("t_1", e.id, 100);
  ASSERT_EQ(log.size(), 20u);
  for (const auto& delivery : log) {
    EXPECT_EQ(delivery.status, "pending");
  }
}

}  // namespace
}  // namespace medrtc::webhooks
