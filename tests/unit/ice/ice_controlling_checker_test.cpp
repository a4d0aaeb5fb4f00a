#include "ice/ice_controlling_checker.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "common/clock.hpp"
#include "ice/ice_lite_responder.hpp"
#include "ice/stun_message.hpp"

namespace medrtc::ice {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Kind = IceControllingChecker::Event::Kind;

class CheckerResponderTest : public ::testing::Test {
 protected:
  IceLiteResponder server = IceLiteResponder::withRandomCredentials();
  SocketAddress serverAddr = *SocketAddress::fromIp("192.0.2.10", 40000);
  SocketAddress clientAddr = *SocketAddress::fromIp("198.51.100.20", 50000);
  ManualClock clock;

  IceControllingChecker::Config config() {
    IceControllingChecker::Config c;
    c.localUfrag = "loadgen1";
    c.remoteUfrag = server.localUfrag();
    c.remotePassword = server.localPassword();
    c.remoteAddress = serverAddr;
    return c;
  }

  // One network round trip in memory: checker → server → checker.
  IceControllingChecker::Event roundTrip(IceControllingChecker& checker) {
    auto request = checker.poll(clock.now());
    if (!request) {
      return {};
    }
    auto outcome = server.handleRequest(*request, clientAddr, clock.now());
    if (!outcome.shouldSend()) {
      return {};
    }
    std::vector<uint8_t> copy(outcome.response.begin(), outcome.response.end());
    return checker.handleResponse(copy, serverAddr, clock.now());
  }
};

TEST_F(CheckerResponderTest, CheckerAndResponderCompleteACheckEndToEnd) {
  server.setRemoteUfrag("loadgen1");
  IceControllingChecker checker(config());
  checker.start(clock.now());
  auto event = roundTrip(checker);
  EXPECT_EQ(event.kind, Kind::kSucceeded);
  EXPECT_EQ(event.mappedAddress, clientAddr);
  EXPECT_EQ(checker.state(), IceControllingChecker::State::kSucceeded);
  EXPECT_EQ(server.selectedTuple(), clientAddr);
}

TEST_F(CheckerResponderTest, RequestCarriesIceAttributes) {
  IceControllingChecker checker(config());
  checker.start(clock.now());
  auto request = checker.poll(clock.now());
  ASSERT_TRUE(request);
  auto msg = StunMessage::parse(*request);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(msg->messageClass(), StunClass::kRequest);
  EXPECT_EQ(msg->username(), server.localUfrag() + ":loadgen1");
  EXPECT_TRUE(msg->priority().has_value());
  EXPECT_EQ(msg->iceControlling(), checker.tieBreaker());
  EXPECT_TRUE(msg->useCandidate());
  EXPECT_TRUE(msg->verifyMessageIntegrity(server.localPassword()));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST_F(CheckerResponderTest, RetransmitsWithDoublingRtoThenTimesOut) {
  IceControllingChecker checker(config());
  checker.start(clock.now());
  std::vector<Micros> sentAt;
  std::optional<TransactionId> tid;
  IceControllingChecker::Event event;
  for (int step = 0; step < 200000 && checker.state() == IceControllingChecker::State::kChecking; ++step) {
    if (auto request = checker.poll(clock.now(), &event)) {
      auto msg = StunMessage::parse(*request);
      ASSERT_TRUE(msg.ok());
      if (tid) {
        EXPECT_EQ(msg->transactionId(), *tid);  // retransmissions reuse the transaction
      }
      tid = msg->transactionId();
      sentAt.push_back(clock.now());
    }
    clock.advance(milliseconds(10));
  }
  ASSERT_EQ(sentAt.size(), 7u);
  EXPECT_EQ(sentAt[1] - sentAt[0], milliseconds(500));
  EXPECT_EQ(sentAt[2] - sentAt[1], milliseconds(1000));
  EXPECT_EQ(sentAt[6] - sentAt[5], milliseconds(16000));
  EXPECT_EQ(checker.state(), IceControllingChecker::State::kFailed);
  EXPECT_EQ(event.kind, Kind::kTimedOut);
}

TEST_F(CheckerResponderTest, IgnoresResponsesWithWrongTransactionOrIntegrity) {
  IceControllingChecker checker(config());
  checker.start(clock.now());
  auto request = checker.poll(clock.now());
  ASSERT_TRUE(request);
  // A server with another password answers: integrity fails, nothing changes.
  IceLiteResponder impostor(server.localUfrag(), "someOtherPassword0123456");
  auto bad = impostor.handleRequest(*request, clientAddr, clock.now());
  ASSERT_TRUE(bad.shouldSend());
  auto event = checker.handleResponse(bad.response, serverAddr, clock.now());
  EXPECT_EQ(event.kind, Kind::kUnverifiedError);
  EXPECT_EQ(event.errorCode, 401);
  EXPECT_EQ(checker.state(), IceControllingChecker::State::kChecking);
  // The real answer from the wrong address is ignored too.
  auto good = server.handleRequest(*request, clientAddr, clock.now());
  std::vector<uint8_t> copy(good.response.begin(), good.response.end());
  EXPECT_EQ(checker.handleResponse(copy, clientAddr, clock.now()).kind, Kind::kNone);
  EXPECT_EQ(checker.handleResponse(copy, serverAddr, clock.now()).kind, Kind::kSucceeded);
  // A duplicate (e.g. an answer to a retransmission) is ignored.
  EXPECT_EQ(checker.handleResponse(copy, serverAddr, clock.now()).kind, Kind::kNone);
}

TEST_F(CheckerResponderTest, ConsentChecksKeepServerConsentFresh) {
  IceControllingChecker checker(config());
  checker.start(clock.now());
  ASSERT_EQ(roundTrip(checker).kind, Kind::kSucceeded);
  int consentChecks = 0;
  for (int i = 0; i < 600; ++i) {  // 60 s in 100 ms steps
    clock.advance(milliseconds(100));
    if (roundTrip(checker).kind == Kind::kSucceeded) {
      ++consentChecks;
    }
    EXPECT_FALSE(server.consentExpired(clock.now()));
  }
  EXPECT_GE(consentChecks, 9);   // every 4..6 s
  EXPECT_LE(consentChecks, 15);
  clock.advance(seconds(31));  // the client goes silent
  EXPECT_TRUE(server.consentExpired(clock.now()));
}

TEST_F(CheckerResponderTest, PacesTransmissionsByTa) {
  auto c = config();
  c.initialRto = milliseconds(10);
  c.ta = milliseconds(50);
  IceControllingChecker checker(c);
  checker.start(clock.now());
  ASSERT_TRUE(checker.poll(clock.now()));
  clock.advance(milliseconds(20));
  EXPECT_FALSE(checker.poll(clock.now()));  // RTO passed, Ta has not
  EXPECT_EQ(checker.nextWakeup(), clock.now() + milliseconds(30));
  clock.advance(milliseconds(30));
  EXPECT_TRUE(checker.poll(clock.now()));
}

}  // namespace
}  // namespace medrtc::ice
