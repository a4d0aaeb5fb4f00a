// House rule 5 / issue 10: a bound on what one client can cost. A socket's frames beyond
// its message budget are dropped before parsing (one `rate_limited` error a second), and a
// reconnect loop with one token is cut off before each join costs an audited join and an
// audited `leave:duplicate_identity` (the security probe wrote 101 events for 50 joins).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hub_harness.hpp"
#include "signaling/message_budget.hpp"

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
  ClientBudget() { h_.clock.advance(1s); }

  std::string token(const std::string& identity) { return h_.hostToken(identity); }
  std::shared_ptr<CountingSocket> join(const std::string& token) {
    auto socket = std::make_shared<CountingSocket>();
    h_.join(socket, token);
    return socket;
  }

  CountingAudit audit_;
  testing::HubHarness h_{audit_};
};

TEST_F(ClientBudget, AFloodOfFramesIsDroppedPastTheBudgetWithOneErrorASecond) {
  auto flooder = std::make_shared<CountingSocket>();
  auto flooderId = h_.join(flooder, token("mallory"));
  ASSERT_EQ(flooder->count("joined"), 1u);
  auto calm = std::make_shared<CountingSocket>();
  auto calmId = h_.join(calm, token("alice"));
  ASSERT_EQ(calm->count("joined"), 1u);
  for (int i = 0; i < 5000; ++i) {
    h_.hub->onText(flooderId, R"({"type":"ping"})");
  }
  // Before: 5000 pongs (and 5000 parses). Now the burst (less the join), one error for the rest.
  const auto burst = static_cast<size_t>(SignalingHub::kMessageBurst);
  EXPECT_EQ(flooder->count("pong"), burst - 1);
  EXPECT_EQ(flooder->count("error", "rate_limited"), 1u);
  EXPECT_FALSE(flooder->closeCode.has_value()) << "a dropped frame is not fatal";
  h_.hub->onText(calmId, R"({"type":"ping"})");
  EXPECT_EQ(calm->count("pong"), 1u) << "another client's budget is its own";
  h_.clock.advance(1s);
  for (int i = 0; i < 5000; ++i) {
    h_.hub->onText(flooderId, R"({"type":"ping"})");
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
  h_.clock.advance(6s);
  EXPECT_EQ(join(alice)->count("joined"), 1u);
}

}  // namespace
}  // namespace medrtc::signaling
