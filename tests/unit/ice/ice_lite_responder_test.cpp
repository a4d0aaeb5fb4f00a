#include "ice/ice_lite_responder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "ice/stun_message_builder.hpp"
#include "rfc5769_vectors.hpp"

namespace medrtc::ice {
namespace {

using std::chrono::seconds;

constexpr char kLocalUfrag[] = "srvUfrag";
constexpr char kLocalPwd[] = "serverPassword0123456789";
constexpr char kRemoteUfrag[] = "cli1";

struct CheckOptions {
  std::string username = std::string(kLocalUfrag) + ":" + kRemoteUfrag;
  std::string password = kLocalPwd;
  bool priority = true;
  bool useCandidate = false;
  bool controlling = true;
  bool controlled = false;
  bool integrity = true;
  bool fingerprint = true;
  StunClass cls = StunClass::kRequest;
};

class Check {
 public:
  explicit Check(const CheckOptions& o = {}) : buf_(512) {
    tid_ = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
    StunMessageBuilder b(buf_, StunMethod::kBinding, o.cls, tid_);
    if (!o.username.empty()) {
      b.addUsername(o.username);
    }
    if (o.priority) {
      b.addPriority(0x6E0001FF);
    }
    if (o.controlling) {
      b.addIceControlling(42);
    }
    if (o.controlled) {
      b.addIceControlled(42);
    }
    if (o.useCandidate) {
      b.addUseCandidate();
    }
    if (o.integrity) {
      b.addMessageIntegrity(o.password);
    }
    if (o.fingerprint) {
      b.addFingerprint();
    }
    bytes_ = *b.finish();
  }
  ByteView bytes() const { return bytes_; }
  const TransactionId& tid() const { return tid_; }

 private:
  std::vector<uint8_t> buf_;
  TransactionId tid_;
  ByteView bytes_;
};

class IceLiteResponderTest : public ::testing::Test {
 protected:
  IceLiteResponder responder{kLocalUfrag, kLocalPwd};
  ManualClock clock;
  SocketAddress client = *SocketAddress::fromIp("198.51.100.7", 54321);
  SocketAddress client2 = *SocketAddress::fromIp("2001:db8::7", 6000);

  StunMessage parseResponse(const IceLiteResponder::Outcome& out) {
    EXPECT_TRUE(out.shouldSend());
    auto msg = StunMessage::parse(out.response);
    EXPECT_TRUE(msg.ok());
    return *msg;
  }
};

TEST_F(IceLiteResponderTest, AnswersGoodCheckWithVerifiableSuccessCarryingSourceAddress) {
  Check check;
  auto out = responder.handleRequest(check.bytes(), client, clock.now());
  EXPECT_EQ(out.kind, IceLiteResponder::Outcome::Kind::kSuccess);
  EXPECT_TRUE(out.tupleValid);
  EXPECT_FALSE(out.nominated);
  StunMessage response = parseResponse(out);
  EXPECT_EQ(response.messageClass(), StunClass::kSuccessResponse);
  EXPECT_EQ(response.transactionId(), check.tid());
  EXPECT_EQ(response.xorMappedAddress(), client);
  EXPECT_TRUE(response.verifyMessageIntegrity(kLocalPwd));
  EXPECT_TRUE(response.verifyFingerprint());
  EXPECT_TRUE(responder.isValidTuple(client));
  EXPECT_EQ(responder.selectedTuple(), client);
}

TEST_F(IceLiteResponderTest, AnswersIpv6SourceWithIpv6MappedAddress) {
  auto out = responder.handleRequest(Check().bytes(), client2, clock.now());
  EXPECT_EQ(parseResponse(out).xorMappedAddress(), client2);
}

TEST_F(IceLiteResponderTest, Answers401OnWrongPassword) {
  CheckOptions o;
  o.password = "not-the-password-at-all!";
  auto out = responder.handleRequest(Check(o).bytes(), client, clock.now());
  EXPECT_EQ(out.kind, IceLiteResponder::Outcome::Kind::kError);
  EXPECT_EQ(out.errorCode, 401);
  StunMessage response = parseResponse(out);
  EXPECT_EQ(response.messageClass(), StunClass::kErrorResponse);
  ASSERT_TRUE(response.errorCode());
  EXPECT_EQ(response.errorCode()->code, 401);
  EXPECT_FALSE(response.hasMessageIntegrity());
  EXPECT_TRUE(response.verifyFingerprint());
  EXPECT_FALSE(out.tupleValid);
  EXPECT_FALSE(responder.selectedTuple().has_value());
}

TEST_F(IceLiteResponderTest, Answers401OnUnknownUsername) {
  for (std::string username : {"otherUfr:cli1", "srvUfrag", "srvUfragX:cli1", "srvUfrag:someoneElse"}) {
    responder.setRemoteUfrag(kRemoteUfrag);
    CheckOptions o;
    o.username = username;
    auto out = responder.handleRequest(Check(o).bytes(), client, clock.now());
    EXPECT_EQ(out.errorCode, 401) << username;
  }
}

TEST_F(IceLiteResponderTest, AcceptsAnyRemoteUfragUntilItIsKnown) {
  CheckOptions o;
  o.username = std::string(kLocalUfrag) + ":whoever";
  EXPECT_EQ(responder.handleRequest(Check(o).bytes(), client, clock.now()).kind,
            IceLiteResponder::Outcome::Kind::kSuccess);
  responder.setRemoteUfrag(kRemoteUfrag);
  EXPECT_EQ(responder.handleRequest(Check(o).bytes(), client, clock.now()).errorCode, 401);
  EXPECT_EQ(responder.handleRequest(Check().bytes(), client, clock.now()).kind,
            IceLiteResponder::Outcome::Kind::kSuccess);
}

TEST_F(IceLiteResponderTest, Answers400WhenUsernameIntegrityOrPriorityIsMissing) {
  CheckOptions noUser;
  noUser.username = "";
  CheckOptions noMi;
  noMi.integrity = false;
  CheckOptions noPriority;
  noPriority.priority = false;
  for (const CheckOptions& o : {noUser, noMi, noPriority}) {
    auto out = responder.handleRequest(Check(o).bytes(), client, clock.now());
    EXPECT_EQ(out.errorCode, 400);
    EXPECT_TRUE(out.shouldSend());
    EXPECT_FALSE(out.tupleValid);
  }
}

TEST_F(IceLiteResponderTest, Answers400ToMalformedBindingRequest) {
  auto bytes = rfc5769::kSampleRequest;
  bytes[0x17] = 0xFF;  // SOFTWARE length overruns the message
  auto out = responder.handleRequest(bytes, client, clock.now());
  EXPECT_EQ(out.errorCode, 400);
  StunMessage response = parseResponse(out);
  EXPECT_EQ(response.transactionId(), StunMessage::parse(rfc5769::kSampleRequest)->transactionId());
}

TEST_F(IceLiteResponderTest, Answers487WhenPeerClaimsToBeControlled) {
  CheckOptions o;
  o.controlling = false;
  o.controlled = true;
  auto out = responder.handleRequest(Check(o).bytes(), client, clock.now());
  EXPECT_EQ(out.errorCode, 487);
  StunMessage response = parseResponse(out);
  EXPECT_TRUE(response.verifyMessageIntegrity(kLocalPwd));
  EXPECT_FALSE(out.tupleValid);
}

TEST_F(IceLiteResponderTest, IgnoresNonRequestsAndMissingOrBadFingerprint) {
  CheckOptions indication;
  indication.cls = StunClass::kIndication;
  CheckOptions response;
  response.cls = StunClass::kSuccessResponse;
  CheckOptions noFp;
  noFp.fingerprint = false;
  for (const CheckOptions& o : {indication, response, noFp}) {
    auto out = responder.handleRequest(Check(o).bytes(), client, clock.now());
    EXPECT_EQ(out.kind, IceLiteResponder::Outcome::Kind::kIgnored);
    EXPECT_FALSE(out.shouldSend());
  }
  Check good;
  std::vector<uint8_t> badFp(good.bytes().begin(), good.bytes().end());
  badFp.back() ^= 1;
  EXPECT_FALSE(responder.handleRequest(badFp, client, clock.now()).shouldSend());
  const std::vector<uint8_t> rtp = {0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_FALSE(responder.handleRequest(rtp, client, clock.now()).shouldSend());
}

TEST_F(IceLiteResponderTest, MarksNominationOnUseCandidateFromControllingPeer) {
  CheckOptions o;
  o.useCandidate = true;
  auto out = responder.handleRequest(Check(o).bytes(), client, clock.now());
  EXPECT_TRUE(out.nominated);
  EXPECT_TRUE(out.selectedTupleChanged);
  EXPECT_EQ(responder.selectedTuple(), client);
}

TEST_F(IceLiteResponderTest, IgnoresUseCandidateWithoutIceControlling) {
  CheckOptions o;
  o.useCandidate = true;
  o.controlling = false;
  auto out = responder.handleRequest(Check(o).bytes(), client, clock.now());
  EXPECT_EQ(out.kind, IceLiteResponder::Outcome::Kind::kSuccess);
  EXPECT_FALSE(out.nominated);
}

TEST_F(IceLiteResponderTest, SelectsLatestNominatedElseLatestValidTuple) {
  CheckOptions nominate;
  nominate.useCandidate = true;
  responder.handleRequest(Check().bytes(), client, clock.now());
  EXPECT_EQ(responder.selectedTuple(), client);
  auto out = responder.handleRequest(Check().bytes(), client2, clock.now());
  EXPECT_TRUE(out.selectedTupleChanged);
  EXPECT_EQ(responder.selectedTuple(), client2);  // latest valid
  responder.handleRequest(Check(nominate).bytes(), client, clock.now());
  EXPECT_EQ(responder.selectedTuple(), client);  // nominated beats merely valid
  out = responder.handleRequest(Check().bytes(), client2, clock.now());
  EXPECT_FALSE(out.selectedTupleChanged);
  EXPECT_EQ(responder.selectedTuple(), client);
  responder.handleRequest(Check(nominate).bytes(), client2, clock.now());
  EXPECT_EQ(responder.selectedTuple(), client2);  // latest nomination wins
}

TEST_F(IceLiteResponderTest, ConsentExpiresThirtySecondsAfterLastCheck) {
  EXPECT_FALSE(responder.consentExpired(clock.now()));  // nothing selected yet
  CheckOptions o;
  o.useCandidate = true;
  responder.handleRequest(Check(o).bytes(), client, clock.now());
  clock.advance(seconds(20));
  EXPECT_FALSE(responder.consentExpired(clock.now()));
  responder.handleRequest(Check().bytes(), client, clock.now());  // consent refresh
  clock.advance(seconds(29));
  EXPECT_FALSE(responder.consentExpired(clock.now()));
  clock.advance(seconds(1));
  EXPECT_TRUE(responder.consentExpired(clock.now()));
}

TEST_F(IceLiteResponderTest, FailedChecksDoNotRefreshConsent) {
  responder.handleRequest(Check().bytes(), client, clock.now());
  clock.advance(seconds(25));
  CheckOptions bad;
  bad.password = "wrong-password-wrong-pwd";
  responder.handleRequest(Check(bad).bytes(), client, clock.now());
  clock.advance(seconds(5));
  EXPECT_TRUE(responder.consentExpired(clock.now()));
}

TEST_F(IceLiteResponderTest, BoundsTupleCountAndKeepsSelectedTuple) {
  CheckOptions o;
  o.useCandidate = true;
  responder.handleRequest(Check(o).bytes(), client, clock.now());
  for (uint16_t port = 1; port <= 3 * IceLiteResponder::kMaxTuples; ++port) {
    clock.advance(seconds(1));
    responder.handleRequest(Check().bytes(), *SocketAddress::fromIp("203.0.113.1", port), clock.now());
  }
  EXPECT_EQ(responder.selectedTuple(), client);
  EXPECT_TRUE(responder.isValidTuple(*SocketAddress::fromIp("203.0.113.1", 3 * IceLiteResponder::kMaxTuples)));
  EXPECT_FALSE(responder.isValidTuple(*SocketAddress::fromIp("203.0.113.1", 1)));
}

TEST_F(IceLiteResponderTest, RestartSwitchesCredentials) {
  responder.setRemoteUfrag(kRemoteUfrag);
  responder.restart("newUfrag", "newPassword0123456789abc");
  EXPECT_EQ(responder.handleRequest(Check().bytes(), client, clock.now()).errorCode, 401);
  CheckOptions o;
  o.username = "newUfrag:cli2";
  o.password = "newPassword0123456789abc";
  EXPECT_EQ(responder.handleRequest(Check(o).bytes(), client, clock.now()).kind,
            IceLiteResponder::Outcome::Kind::kSuccess);
}

TEST(IceLiteResponder, LocalUfragOfReturnsPartBeforeColon) {
  Check check;
  auto msg = StunMessage::parse(check.bytes());
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(IceLiteResponder::localUfragOf(*msg), kLocalUfrag);
  auto rfc = StunMessage::parse(rfc5769::kSampleRequest);
  EXPECT_EQ(IceLiteResponder::localUfragOf(*rfc), "evtj");
  CheckOptions noColon;
  noColon.username = "nocolon";
  Check c2(noColon);
  EXPECT_FALSE(IceLiteResponder::localUfragOf(*StunMessage::parse(c2.bytes())).has_value());
}

TEST(IceLiteResponder, RandomCredentialsHaveRfcLengths) {
  auto a = IceLiteResponder::withRandomCredentials();
  auto b = IceLiteResponder::withRandomCredentials();
  EXPECT_EQ(a.localUfrag().size(), 8u);
  EXPECT_EQ(a.localPassword().size(), 24u);
  EXPECT_NE(a.localPassword(), b.localPassword());
}

TEST(IceLiteResponder, AnswersRfc5769SampleRequestWith487BecauseItIsControlled) {
  // The RFC sample request carries ICE-CONTROLLED; a lite agent must flag the conflict.
  IceLiteResponder r("evtj", rfc5769::kShortTermPassword);
  auto out = r.handleRequest(rfc5769::kSampleRequest, *SocketAddress::fromIp("192.0.2.1", 32853), Micros(0));
  EXPECT_EQ(out.errorCode, 487);
}

}  // namespace
}  // namespace medrtc::ice

namespace medrtc::ice {
namespace {

constexpr char kNewUfrag[] = "newUfrag";
constexpr char kNewPwd[] = "newPassword0123456789abc";

CheckOptions newCredentials(const char* remoteUfrag = "cli2") {
  CheckOptions o;
  o.username = std::string(kNewUfrag) + ":" + remoteUfrag;
  o.password = kNewPwd;
  return o;
}

TEST_F(IceLiteResponderTest, RestartKeepsOldCredentialsDuringTheGraceAndSignsWithThem) {
  ASSERT_EQ(responder.handleRequest(Check().bytes(), client, clock.now()).kind,
            IceLiteResponder::Outcome::Kind::kSuccess);
  responder.restart(kNewUfrag, kNewPwd, clock.now() + seconds(10));
  EXPECT_EQ(responder.localUfrag(), kNewUfrag);
  EXPECT_EQ(responder.previousUfrag(clock.now()), std::string(kLocalUfrag));

  // The peer has not seen the new description yet: its consent check still works, and the
  // response is keyed with the password it knows.
  clock.advance(seconds(9));
  auto out = responder.handleRequest(Check().bytes(), client, clock.now());
  ASSERT_EQ(out.kind, IceLiteResponder::Outcome::Kind::kSuccess);
  EXPECT_TRUE(parseResponse(out).verifyMessageIntegrity(kLocalPwd));

  // Past the grace the old ufrag is refused.
  clock.advance(seconds(1));
  EXPECT_FALSE(responder.previousUfrag(clock.now()).has_value());
  EXPECT_EQ(responder.handleRequest(Check().bytes(), client, clock.now()).errorCode, 401);
}

TEST_F(IceLiteResponderTest, FirstCheckWithNewCredentialsEndsTheGrace) {
  responder.restart(kNewUfrag, kNewPwd, clock.now() + seconds(10));
  auto out = responder.handleRequest(Check(newCredentials()).bytes(), client, clock.now());
  ASSERT_EQ(out.kind, IceLiteResponder::Outcome::Kind::kSuccess);
  EXPECT_TRUE(parseResponse(out).verifyMessageIntegrity(kNewPwd));
  EXPECT_FALSE(responder.previousUfrag(clock.now()).has_value());
  EXPECT_EQ(responder.handleRequest(Check().bytes(), client, clock.now()).errorCode, 401);
}

TEST_F(IceLiteResponderTest, RestartAcceptsANewTupleAndFollowsItsNomination) {
  CheckOptions nominate;
  nominate.useCandidate = true;
  responder.handleRequest(Check(nominate).bytes(), client, clock.now());
  ASSERT_EQ(responder.selectedTuple(), client);

  // The client moved to another network: its checks come from a new address.
  responder.restart(kNewUfrag, kNewPwd, clock.now() + seconds(10));
  CheckOptions moved = newCredentials();
  moved.useCandidate = true;
  auto out = responder.handleRequest(Check(moved).bytes(), client2, clock.now());
  EXPECT_EQ(out.kind, IceLiteResponder::Outcome::Kind::kSuccess);
  EXPECT_TRUE(out.nominated);
  EXPECT_TRUE(out.selectedTupleChanged);
  EXPECT_EQ(responder.selectedTuple(), client2);
}

TEST_F(IceLiteResponderTest, OldPasswordWithNewUfragIsRefused) {
  responder.restart(kNewUfrag, kNewPwd, clock.now() + seconds(10));
  CheckOptions mixed = newCredentials();
  mixed.password = kLocalPwd;
  EXPECT_EQ(responder.handleRequest(Check(mixed).bytes(), client, clock.now()).errorCode, 401);
  // And the refused check did not end the grace.
  EXPECT_EQ(responder.handleRequest(Check().bytes(), client, clock.now()).kind,
            IceLiteResponder::Outcome::Kind::kSuccess);
}

}  // namespace
}  // namespace medrtc::ice
