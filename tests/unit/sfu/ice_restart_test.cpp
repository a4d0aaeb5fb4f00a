// ICE restart on the real media plane (MediaApi::restartIce, mediasoup's restartIce): new
// credentials on the same transport, DTLS and SRTP kept, a new 5-tuple accepted, the old
// ufrag refused after the grace, and nothing changed for a ufrag that is not the caller's.
#include <gtest/gtest.h>

#include "call_harness.hpp"
#include "ice/ice_lite_responder.hpp"
#include "ice/stun_message.hpp"
#include "ice/stun_message_builder.hpp"
#include "sdp/parse.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

// The server's ICE ufrag and password from its SDP.
std::pair<std::string, std::string> serverIce(const std::string& sdpText, bool isOffer) {
  auto parsed = sdp::parse(sdpText);
  auto remote = client::readRemoteTransport(*parsed, isOffer);
  return {remote->iceUfrag, remote->icePassword};
}

// A socket on the test loop that sends one connectivity check (no USE-CANDIDATE, so it
// never becomes the selected pair) and keeps the responses, as a client on a new network
// would before it nominates.
class Prober {
 public:
  Prober(net::EventLoop& loop, SocketAddress server) : loop_(loop), server_(server) {
    socket_ = net::UdpSocket::bind(*SocketAddress::fromIp("127.0.0.1", 0)).value();
    loop_.addFd(socket_->fd(), EPOLLIN, [this](uint32_t) {
      socket_->receiveAll([this](MutableByteView data, const SocketAddress&) {
        auto message = ice::StunMessage::parse(data);
        if (message.ok()) {
          const uint16_t code = message->errorCode() ? message->errorCode()->code : uint16_t{0};
          responses.push_back(Response{message->messageClass(), code, std::vector<uint8_t>(data.begin(), data.end())});
        }
      });
    });
  }
  ~Prober() { loop_.removeFd(socket_->fd()); }

  // `nominate`: with USE-CANDIDATE, as the browser's check that makes this the path.
  void check(const std::string& ufrag, const std::string& password, bool nominate = false) {
    std::vector<uint8_t> buffer(ice::StunMessageBuilder::kRecommendedBufferSize);
    ice::TransactionId id{};
    id[0] = static_cast<uint8_t>(++sent_);
    ice::StunMessageBuilder b(MutableByteView(buffer), ice::StunMethod::kBinding, ice::StunClass::kRequest, id);
    b.addUsername(ufrag + ":probe").addPriority(1).addIceControlling(42);
    if (nominate) {
      b.addUseCandidate();
    }
    b.addMessageIntegrity(password).addFingerprint();
    socket_->send(*b.finish(), server_);
    socket_->flush();
  }

  struct Response {
    ice::StunClass cls;
    uint16_t errorCode;
    std::vector<uint8_t> bytes;
  };
  std::vector<Response> responses;

  bool succeededWith(const std::string& password) const {
    for (const auto& r : responses) {
      auto message = ice::StunMessage::parse(ByteView(r.bytes));
      if (r.cls == ice::StunClass::kSuccessResponse && message->verifyMessageIntegrity(password)) {
        return true;
      }
    }
    return false;
  }
  bool anySuccess() const {
    for (const auto& r : responses) {
      if (r.cls == ice::StunClass::kSuccessResponse) {
        return true;
      }
    }
    return false;
  }

 private:
  net::EventLoop& loop_;
  SocketAddress server_;
  std::unique_ptr<net::UdpSocket> socket_;
  int sent_ = 0;
};

std::optional<Result<IceRestart, MediaError>> restart(CallHarness& h, const std::string& participant,
                                                      const std::string& ufrag) {
  std::optional<Result<IceRestart, MediaError>> result;
  h.plane().restartIce("r", participant, ufrag, [&](Result<IceRestart, MediaError> r) { result = std::move(r); });
  h.runUntil([&] { return result.has_value(); }, 3s);
  return result;
}

TEST(IceRestart, KeepsDtlsAndSrtpAndAnswersTheNewCredentialsFromANewAddress) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 10; }));
  const Micros handshakeDone = a.pub->connectedInfo()->dtlsConnectedAt;

  auto [oldUfrag, oldPwd] = serverIce(a.publishAnswer, false);
  auto result = restart(h, "a", oldUfrag);
  ASSERT_TRUE(result && result->ok());
  const IceRestart& r = **result;
  EXPECT_EQ(r.connection, IceRestart::Connection::kPublisher);
  EXPECT_NE(r.iceUfrag, oldUfrag);
  EXPECT_EQ(r.iceUfrag.size(), ice::IceLiteResponder::kUfragLength);
  EXPECT_EQ(r.icePwd.size(), ice::IceLiteResponder::kPasswordLength);

  // The publisher goes on sending over its DTLS/SRTP session: no new handshake, media
  // still reaches B, nobody failed.
  size_t before = b.count(MediaKind::kVideo);
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= before + 20; }));
  EXPECT_TRUE(a.pubConnected());
  EXPECT_EQ(a.pub->connectedInfo()->dtlsConnectedAt, handshakeDone);
  EXPECT_TRUE(h.failures().empty());

  // A check with the new credentials from an address the worker never saw (the client's
  // new network) is found by the new ufrag and answered with the new password.
  SocketAddress worker = *serverCandidate(b.offers.back());
  Prober moved(h.loop(), worker);
  moved.check(r.iceUfrag, r.icePwd);
  ASSERT_TRUE(h.runUntil([&] { return moved.succeededWith(r.icePwd); }, 2s));

  // The peer now has the new credentials, so the old ones are refused at once.
  Prober stale(h.loop(), worker);
  stale.check(oldUfrag, oldPwd);
  h.runFor(300ms);
  EXPECT_FALSE(stale.anySuccess());
}

// A publish is negotiated on the control thread between two worker hops; a restart of the
// same connection that lands between them must not leave the answer with the credentials
// it replaced (they stop working when the restart's grace ends).
TEST(IceRestart, APublishOfferAnsweredAcrossARestartCarriesTheNewCredentials) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected(); }));
  auto [oldUfrag, oldPwd] = serverIce(a.publishAnswer, false);

  // Both are posted before the worker runs either: the publish's first hop reads the old
  // credentials, then the restart replaces them, then the publish's second hop comes.
  std::optional<Result<std::string, MediaError>> answer;
  std::optional<Result<IceRestart, MediaError>> restarted;
  h.plane().publish("r", "a", a.pub->createPublishOffer(),
                    [&](Result<std::string, MediaError> r) { answer = std::move(r); });
  h.plane().restartIce("r", "a", oldUfrag, [&](Result<IceRestart, MediaError> r) { restarted = std::move(r); });
  ASSERT_TRUE(h.runUntil([&] { return answer.has_value() && restarted.has_value(); }, 3s));
  ASSERT_TRUE(restarted->ok());
  ASSERT_TRUE(answer->ok()) << toString(answer->error());
  EXPECT_NE((*restarted)->iceUfrag, oldUfrag);
  EXPECT_EQ(serverIce(**answer, false).first, (*restarted)->iceUfrag);
  EXPECT_EQ(serverIce(**answer, false).second, (*restarted)->icePwd);
  EXPECT_TRUE(h.failures().empty());
}

TEST(IceRestart, OldCredentialsAnswerDuringTheGraceOnlyAndTheCallGoesOn) {
  TransportTimeouts timeouts;
  timeouts.iceRestartGrace = 300ms;
  CallHarness h(1, timeouts);
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  SocketAddress worker = *serverCandidate(b.offers.back());
  auto [oldUfrag, oldPwd] = serverIce(a.publishAnswer, false);
  ASSERT_TRUE(restart(h, "a", oldUfrag)->ok());

  Prober early(h.loop(), worker);
  early.check(oldUfrag, oldPwd);
  ASSERT_TRUE(h.runUntil([&] { return early.succeededWith(oldPwd); }, 2s)) << "refused within the grace";

  h.runFor(500ms);
  // From a known address the check reaches the transport and gets 401; from a new one
  // the old ufrag no longer routes anywhere.
  early.responses.clear();
  early.check(oldUfrag, oldPwd);
  Prober late(h.loop(), worker);
  late.check(oldUfrag, oldPwd);
  ASSERT_TRUE(h.runUntil([&] { return !early.responses.empty(); }, 2s));
  EXPECT_EQ(early.responses.front().cls, ice::StunClass::kErrorResponse);
  EXPECT_EQ(early.responses.front().errorCode, 401);
  h.runFor(200ms);
  EXPECT_TRUE(late.responses.empty());
}

TEST(IceRestart, AUfragThatIsNotTheCallersChangesNothing) {
  TransportTimeouts timeouts;
  timeouts.iceRestartGrace = 200ms;
  CallHarness h(1, timeouts);
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  auto [aUfrag, aPwd] = serverIce(a.publishAnswer, false);

  // B names A's transport; an unknown participant names it too.
  auto refused = restart(h, "b", aUfrag);
  ASSERT_TRUE(refused.has_value());
  ASSERT_FALSE(refused->ok());
  EXPECT_EQ(refused->error(), MediaError::kTransportNotFound);
  auto unknown = restart(h, "nobody", aUfrag);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->error(), MediaError::kParticipantNotFound);

  // Past any grace A's credentials still work, and so does its call.
  h.runFor(400ms);
  Prober probe(h.loop(), *serverCandidate(b.offers.back()));
  probe.check(aUfrag, aPwd);
  ASSERT_TRUE(h.runUntil([&] { return probe.succeededWith(aPwd); }, 2s));
  EXPECT_TRUE(a.pubConnected() && b.subConnected());
  EXPECT_TRUE(h.failures().empty());
}

TEST(IceRestart, SubscriberRestartSendsANewOfferWithNewCredentialsAndTheSameFingerprint) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 10; }));
  const std::string firstOffer = b.offers.back();
  const size_t offersBefore = b.offers.size();
  auto [oldUfrag, oldPwd] = serverIce(firstOffer, true);

  auto result = restart(h, "b", oldUfrag);
  ASSERT_TRUE(result && result->ok());
  EXPECT_EQ((*result)->connection, IceRestart::Connection::kSubscriber);
  ASSERT_TRUE(h.runUntil([&] { return b.offers.size() > offersBefore; }, 3s)) << "no offer after the restart";
  auto [newUfrag, newPwd] = serverIce(b.offers.back(), true);
  EXPECT_EQ(newUfrag, (*result)->iceUfrag);
  EXPECT_EQ(newPwd, (*result)->icePwd);
  auto fingerprintOf = [](const std::string& sdpText) {
    return client::readRemoteTransport(*sdp::parse(sdpText), true)->fingerprint;
  };
  EXPECT_EQ(fingerprintOf(b.offers.back()), fingerprintOf(firstOffer));

  size_t before = b.count(MediaKind::kVideo);
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= before + 20; }));
  EXPECT_TRUE(h.failures().empty());
}

TEST(IceRestart, ASubscribersNewPathAsksThePublisherForAKeyframeAtOnce) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  // A key frame every 10 s: within the test only the server's PLIs make one.
  MediaPump pump(h.loop(), a, 10s);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 10; }));
  h.runFor(300ms);
  const uint64_t plisBefore = a.pub->sender()->stats().plisReceived;

  auto [oldUfrag, oldPwd] = serverIce(b.offers.back(), true);
  auto result = restart(h, "b", oldUfrag);
  ASSERT_TRUE(result && result->ok());
  h.runFor(300ms);
  EXPECT_EQ(a.pub->sender()->stats().plisReceived, plisBefore) << "the restart alone moved nothing";

  // B's browser on its new network nominates the new pair: what went down the old path
  // is lost, so A is asked for a key frame now, not when B's decoder notices.
  Prober moved(h.loop(), *serverCandidate(b.offers.back()));
  moved.check((*result)->iceUfrag, (*result)->icePwd, /*nominate=*/true);
  ASSERT_TRUE(h.runUntil([&] { return moved.succeededWith((*result)->icePwd); }, 2s));
  EXPECT_TRUE(h.runUntil([&] { return a.pub->sender()->stats().plisReceived > plisBefore; }, 500ms));
}

}  // namespace
}  // namespace medrtc::sfu::test
