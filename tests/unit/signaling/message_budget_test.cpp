// House rule 5 / issue 10: a bound on what one client can cost. A socket's frames beyond
// its message budget are dropped before parsing (one `rate_limited` error a second), and a
// reconnect loop with one token is cut off before each join costs an audited join and an
// audited `leave:duplicate_identity` (the security probe wrote 101 events for 50 joins).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <filesystem>

#include "common/random.hpp"
#include "signaling/message_budget.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/sqlite_store.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST(MessageBudget, AllowsTheBurstThenRefillsAtItsRate) {
  MessageBudget budget(/*perSecond=*/2, /*burst=*/4);
  Micros t{1'000'000};
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(budget.take(t)) << i;
  }
  EXPECT_FALSE(budget.take(t));
  EXPECT_EQ(budget.retryAfterSeconds(t), 1);
  EXPECT_TRUE(budget.take(t + 500ms));
  EXPECT_FALSE(budget.take(t + 500ms));
  EXPECT_FALSE(budget.idle(t + 500ms));
  EXPECT_TRUE(budget.idle(t + 10s)) << "full again after a quiet while";
  EXPECT_FALSE(budget.take(t)) << "time going backwards gives nothing back";
}

class CountingSocket final : public PeerSocket {
 public:
  void sendText(std::string text) override { sent.push_back(json::parse(text).as_object()); }
  void close(uint16_t code, std::string_view) override { closeCode = code; }
  size_t count(std::string_view type, std::string_view code = {}) const {
    size_t n = 0;
    for (const auto& m : sent) {
      if (m.at("type").as_string() == type && (code.empty() || m.at("code").as_string() == code)) {
        ++n;
      }
    }
    return n;
  }
  std::vector<json::object> sent;
  std::optional<uint16_t> closeCode;
};

class CountingAudit final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent event) override { written.push_back(std::move(event)); }
  void recordLater(compliance::AuditEvent event, Completion done) override {
    written.push_back(std::move(event));
    done(nullptr);
  }
  std::vector<compliance::AuditEvent> written;
};

class ClientBudget : public ::testing::Test {
 protected:
  ClientBudget()
      : dir_(std::filesystem::temp_directory_path() / ("medrtc-budget-" + randomHex(6))),
        secret_(kTokenSecretBytes, 7),
        signer_(secret_, clock_) {
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::SqliteStore>(dir_ / "medrtc.db");
    hub_ = std::make_unique<SignalingHub>(*store_, signer_, clock_);
    media_ = std::make_unique<testing::FakeMedia>([this](std::function<void()> t) { posted_.push_back(t); }, *hub_);
    hub_->setMedia(media_.get());
    hub_->setAudit(&audit_);
    room_ = store_->createRoom(store::NewRoom{.name = "", .waitingRoom = false}, 1000);
    clock_.advance(1s);
  }
  ~ClientBudget() override {
    hub_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void drain() {
    while (!posted_.empty()) {
      auto task = std::move(posted_.front());
      posted_.pop_front();
      task();
    }
  }
  std::string token(const std::string& identity) {
    JoinClaims claims;
    claims.roomId = room_.id;
    claims.identity = identity;
    claims.name = identity;
    claims.role = "host";
    return signer_.issue(claims, std::chrono::seconds(600));
  }
  std::shared_ptr<CountingSocket> join(const std::string& token) {
    auto socket = std::make_shared<CountingSocket>();
    auto id = hub_->connect(socket);
    hub_->onText(id, json::serialize(json::object{{"type", "join"}, {"token", token}}));
    drain();
    return socket;
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::vector<uint8_t> secret_;
  JoinTokenSigner signer_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<SignalingHub> hub_;
  std::unique_ptr<testing::FakeMedia> media_;
  std::deque<std::function<void()>> posted_;
  CountingAudit audit_;
  store::RoomRecord room_;
};

TEST_F(ClientBudget, AFloodOfFramesIsDroppedPastTheBudgetWithOneErrorASecond) {
  auto flooder = std::make_shared<CountingSocket>();
  auto flooderId = hub_->connect(flooder);
  hub_->onText(flooderId, json::serialize(json::object{{"type", "join"}, {"token", token("mallory")}}));
  drain();
  ASSERT_EQ(flooder->count("joined"), 1u);
  auto calm = std::make_shared<CountingSocket>();
  auto calmId = hub_->connect(calm);
  hub_->onText(calmId, json::serialize(json::object{{"type", "join"}, {"token", token("alice")}}));
  drain();
  ASSERT_EQ(calm->count("joined"), 1u);
  for (int i = 0; i < 5000; ++i) {
    hub_->onText(flooderId, R"({"type":"ping"})");
  }
  // Before: 5000 pongs (and 5000 parses). Now the burst (less the join), one error for the rest.
  const auto burst = static_cast<size_t>(SignalingHub::kMessageBurst);
  EXPECT_EQ(flooder->count("pong"), burst - 1);
  EXPECT_EQ(flooder->count("error", "rate_limited"), 1u);
  EXPECT_FALSE(flooder->closeCode.has_value()) << "a dropped frame is not fatal";
  hub_->onText(calmId, R"({"type":"ping"})");
  EXPECT_EQ(calm->count("pong"), 1u) << "another client's budget is its own";
  clock_.advance(1s);
  for (int i = 0; i < 5000; ++i) {
    hub_->onText(flooderId, R"({"type":"ping"})");
  }
  EXPECT_EQ(flooder->count("pong"), burst - 1 + static_cast<size_t>(SignalingHub::kMessagesPerSecond));
  EXPECT_EQ(flooder->count("error", "rate_limited"), 2u);
}

TEST_F(ClientBudget, AReconnectLoopWithOneTokenIsCutOffBeforeItFloodsTheAudit) {
  std::string alice = token("alice");
  std::vector<std::shared_ptr<CountingSocket>> sockets;
  for (int i = 0; i < 50; ++i) {
    sockets.push_back(join(alice));
  }
  size_t joined = 0;
  size_t limited = 0;
  for (const auto& s : sockets) {
    joined += s->count("joined");
    if (s->count("error", "rate_limited") == 1) {
      ++limited;
      EXPECT_EQ(s->closeCode, std::optional<uint16_t>(4041));
    }
  }
  EXPECT_EQ(joined, static_cast<size_t>(SignalingHub::kJoinBurst));
  EXPECT_EQ(limited, 50u - joined);
  // Before: 101 events for 50 joins. Now a join and a replaced leave per allowed join.
  EXPECT_LE(audit_.written.size(), 2 * static_cast<size_t>(SignalingHub::kJoinBurst));
  EXPECT_EQ(sockets[SignalingHub::kJoinBurst - 1]->count("joined"), 1u);
  EXPECT_FALSE(sockets[SignalingHub::kJoinBurst - 1]->closeCode.has_value())
      << "the live participant stays when later joins are refused";
  // Another identity in the same room is not affected, and alice gets in again later.
  EXPECT_EQ(join(token("bob"))->count("joined"), 1u);
  clock_.advance(6s);
  EXPECT_EQ(join(alice)->count("joined"), 1u);
}

}  // namespace
}  // namespace medrtc::signaling
