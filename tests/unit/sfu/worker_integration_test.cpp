// Worker-level behaviour with real sockets: hostile datagrams, a client that vanishes,
// rooms on different workers. Each wait is bounded.
#include <gtest/gtest.h>

#include <array>
#include <future>
#include <random>
#include <stdexcept>

#include "call_harness.hpp"
#include "ice/stun_message_builder.hpp"
#include "rtp/rtp_packet_builder.hpp"
#include "sdp/parse.hpp"
#include "sfu/worker.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

// The server's ICE ufrag and password from its SDP.
std::pair<std::string, std::string> serverIce(const std::string& sdpText) {
  auto parsed = sdp::parse(sdpText);
  auto remote = client::readRemoteTransport(*parsed, /*remoteIsOffer=*/false);
  return {remote->iceUfrag, remote->icePassword};
}

std::vector<uint8_t> bindingRequest(const std::string& username, const std::string& password) {
  std::vector<uint8_t> buffer(ice::StunMessageBuilder::kRecommendedBufferSize);
  ice::TransactionId id{};
  id[0] = 7;
  ice::StunMessageBuilder b(MutableByteView(buffer), ice::StunMethod::kBinding, ice::StunClass::kRequest, id);
  b.addUsername(username).addPriority(1).addIceControlling(42).addUseCandidate();
  b.addMessageIntegrity(password).addFingerprint();
  buffer.resize(b.finish()->size());
  return buffer;
}

TEST(Worker, GarbageDatagramsDoNotDisturbACall) {
  CallHarness h;
  Endpoint& a = h.join("r", "a");
  Endpoint& b = h.join("r", "b");
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.pubConnected() && a.subConnected() && b.subConnected(); }));
  MediaPump pumpA(h.loop(), a);
  MediaPump pumpB(h.loop(), b);
  pumpA.start();
  pumpB.start();
  ASSERT_TRUE(h.runUntil([&] { return a.count(MediaKind::kVideo) >= 20 && b.count(MediaKind::kVideo) >= 20; }));

  SocketAddress worker = *serverCandidate(b.offers.back());
  auto [ufrag, password] = serverIce(a.publishAnswer);
  auto attacker = net::UdpSocket::bind(*SocketAddress::fromIp("127.0.0.1", 0)).value();
  std::mt19937 random(1234);
  auto sendOne = [&](ByteView d) {
    attacker->send(d, worker);
    attacker->flush();
  };
  // Random bytes of every first-byte class (STUN, DTLS, SRTP, other) and size.
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> d(1 + random() % 1400);
    for (auto& byte : d) {
      byte = static_cast<uint8_t>(random());
    }
    d[0] = static_cast<uint8_t>(i % 256);
    sendOne(ByteView(d));
  }
  std::vector<uint8_t> good = bindingRequest(ufrag + ":x", password);
  // Truncated STUN: every prefix of a valid check.
  for (size_t n = 1; n < good.size(); ++n) {
    sendOne(ByteView(good.data(), n));
  }
  // Right ufrag, wrong password: fails MESSAGE-INTEGRITY, must not bind the tuple.
  std::vector<uint8_t> forged = bindingRequest(ufrag + ":x", "not-the-password-at-all!");
  for (int i = 0; i < 50; ++i) {
    sendOne(ByteView(forged));
  }
  // A valid check with one flipped bit in every position.
  for (size_t i = 0; i < good.size(); ++i) {
    auto flipped = good;
    flipped[i] ^= 0x10;
    sendOne(ByteView(flipped));
  }
  // RTP in the clear with an unknown SSRC from an address no check validated.
  std::array<uint8_t, 1200> rtpBuffer{};
  std::vector<uint8_t> payload(1000, 0xAB);
  payload[0] = 0x90;  // a VP8 descriptor start, so a keyframe check reads on
  for (uint16_t seq = 0; seq < 100; ++seq) {
    rtp::RtpPacketBuilder builder;
    builder.payloadType(96).sequenceNumber(seq).timestamp(1).ssrc(0xDEADBEEF);
    size_t n = *builder.write(MutableByteView(rtpBuffer), ByteView(payload));
    sendOne(ByteView(rtpBuffer.data(), n));
  }

  // Inside A's real SRTP session (from the validated tuple): RTP with unknown SSRCs and no
  // MID (negotiated and unnegotiated payload types), and RTCP whose length fields lie.
  // PeerConnection has no raw-send hook, so reach its transport (the object is not const).
  auto& aTransport = const_cast<client::ClientTransport&>(a.pub->transport());
  int protectedSent = 0;
  for (uint16_t seq = 0; seq < 100; ++seq) {
    rtp::RtpPacketBuilder builder;
    builder.payloadType(seq % 2 ? 96 : 77).sequenceNumber(seq).timestamp(1).ssrc(seq % 2 ? 0xDEADBEEF : 0xFEEDF00D);
    size_t n = *builder.write(MutableByteView(rtpBuffer), ByteView(payload));
    protectedSent += aTransport.sendRtp(ByteView(rtpBuffer.data(), n)) ? 1 : 0;
  }
  EXPECT_EQ(protectedSent, 100);
  for (int i = 0; i < 100; ++i) {
    std::array<uint8_t, 48> rtcp{};
    for (auto& byte : rtcp) {
      byte = static_cast<uint8_t>(random());
    }
    rtcp[0] = static_cast<uint8_t>(0x80 | (i % 32));
    rtcp[1] = static_cast<uint8_t>(200 + i % 7);  // SR, RR, SDES, BYE, APP, RTPFB, PSFB
    aTransport.sendRtcp(ByteView(rtcp));
  }
  aTransport.flush();

  // The call goes on: both directions keep flowing, nobody failed, and the worker still
  // answers the control plane.
  size_t aBefore = a.received.size();
  size_t bBefore = b.received.size();
  ASSERT_TRUE(h.runUntil([&] { return a.received.size() >= aBefore + 60 && b.received.size() >= bBefore + 60; }));
  EXPECT_TRUE(a.pubConnected() && a.subConnected() && b.pubConnected() && b.subConnected());
  EXPECT_TRUE(h.failures().empty());
  EXPECT_TRUE(a.errors.empty() && b.errors.empty());
  // The forged checks got error responses (401) or nothing, never a success: the
  // attacker's address was not bound, so its RTP went nowhere (receivers saw only the
  // publishers' own streams).
  EXPECT_EQ(a.receivedSsrcs(MediaKind::kVideo).size(), 1u);
  EXPECT_EQ(b.receivedSsrcs(MediaKind::kVideo).size(), 1u);
  bool added = false;
  h.plane().addParticipant("r", "late", {}, std::nullopt, [&](Result<Ok, MediaError> r) { added = r.ok(); });
  ASSERT_TRUE(h.runUntil([&] { return added; }, 3s));
}

TEST(Room, ParticipantWhoVanishesIsReportedFailed) {
  TransportTimeouts timeouts;
  timeouts.consentTimeout = 800ms;
  CallHarness h(1, timeouts);
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected(); }));
  // The server's last consent is the last check it answered, which came after ICE started.
  Micros iceStartedAt = a.pub->connectedInfo()->startedAt;
  // Vanish: no close_notify, no more checks or media (a laptop lid closed, a dead Wi-Fi).
  a.pub.reset();
  ASSERT_TRUE(h.runUntil([&] { return !h.failures().empty(); }, 5s)) << "no onMediaFailed";
  const auto& failure = h.failures().front();
  EXPECT_EQ(failure.roomId, "r");
  EXPECT_EQ(failure.participantId, "a");
  EXPECT_EQ(failure.reason, "ice consent expired");
  EXPECT_GE(failure.at - iceStartedAt, 800ms) << "reported before consent could expire";
  EXPECT_EQ(h.failures().size(), 1u);
}

TEST(Room, VanishedParticipantIsReportedOnceForBothTransports) {
  TransportTimeouts timeouts;
  timeouts.consentTimeout = 800ms;
  CallHarness h(1, timeouts);
  Endpoint& a = h.join("r", "a");
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = true, .subscribe = false});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && a.subConnected() && b.pubConnected(); }));
  a.pub.reset();
  a.sub.reset();
  // Both of A's transports lose consent; signaling must hear about A once. (B's consent
  // lapses too with this short timeout: its client checks only every ~5 s.)
  auto failuresOf = [&](const std::string& id) {
    return std::count_if(h.failures().begin(), h.failures().end(),
                         [&](const CallHarness::Failure& f) { return f.participantId == id; });
  };
  ASSERT_TRUE(h.runUntil([&] { return failuresOf("a") >= 1 && failuresOf("b") >= 1; }, 5s));
  h.runFor(300ms);  // long enough for a second report to arrive, had there been one
  EXPECT_EQ(failuresOf("a"), 1);
  EXPECT_EQ(failuresOf("b"), 1);
}

// The connect deadline starts at negotiation, not at creation: a transport that sat unused
// (a subscriber whose first track comes late; a P2P call falling back to the SFU) still
// gets the full time once it is negotiated. Before: it failed at once.
TEST(Room, ConnectDeadlineCountsFromNegotiationNotCreation) {
  TransportTimeouts timeouts;
  timeouts.connectTimeout = 600ms;
  CallHarness h(1, timeouts);
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  h.runFor(900ms);  // b's subscriber transport exists, but nothing was offered to it yet
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }, 5s));
  for (const auto& f : h.failures()) {
    ADD_FAILURE() << f.participantId << ": " << f.reason;
  }
}

TEST(Room, ConsentTimeoutDefaultsToThirtySeconds) {
  EXPECT_EQ(TransportTimeouts{}.consentTimeout, std::chrono::seconds(30));
  EXPECT_EQ(MediaConfig{}.transportTimeouts.consentTimeout, std::chrono::seconds(30));
}

// An exception while adding a participant (DtlsTransport's constructor throws when OpenSSL
// cannot allocate) used to escape the worker thread and end the process. Now only that
// participant fails: it gets `internal`, the call beside it and later joins go on.
TEST(Worker, ExceptionWhileAddingAParticipantIsContainedToIt) {
  CallHarness h(1, {}, [](const std::string& participantId) {
    if (participantId == "doomed") {
      throw std::runtime_error("DTLS transport: out of memory");
    }
  });
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  MediaPump pumpA(h.loop(), a);
  pumpA.start();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 10; }));

  Endpoint& doomed = h.join("r", "doomed", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return !doomed.errors.empty(); }, 5s));
  EXPECT_EQ(doomed.errors.front(), "addParticipant: internal");
  EXPECT_FALSE(doomed.added);

  // The worker still serves: the existing call flows, and the same room takes a new joiner.
  size_t bBefore = b.received.size();
  Endpoint& c = h.join("r", "c", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return c.added && c.subConnected() && c.count(MediaKind::kVideo) >= 10; }));
  EXPECT_GE(b.received.size(), bBefore + 10);
  EXPECT_TRUE(h.failures().empty());
}

// The last resort under every posted task: one that throws is dropped, the next one runs.
TEST(Worker, ATaskThatThrowsIsContainedAndTheNextOneRuns) {
  struct NoEvents final : MediaEvents {
    void onSubscribeOffer(const std::string&, const std::string&, uint32_t, std::string) override {}
    void onMediaFailed(const std::string&, const std::string&, std::string) override {}
  } events;
  MediaConfig config;
  config.listenIp = "127.0.0.1";
  Worker worker(0, config, [](std::function<void()>) {}, events, [](const std::string&, const std::string&, SubscribeOffer) {});
  worker.start();
  std::promise<void> ran;
  worker.post([] { throw std::runtime_error("DTLS transport: out of memory"); });
  worker.post([&ran] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(5s), std::future_status::ready);
  worker.stop();
}

double heapTrims(const MediaApi& plane) {
  std::vector<metrics::Family> families;
  plane.collectMetrics(families);
  double total = 0;
  for (const auto& family : families) {
    if (family.name == "medrtc_media_heap_trims_total") {
      for (const auto& sample : family.samples) {
        total += sample.value;
      }
    }
  }
  return total;
}

// The DTLS states a call frees once media flows go back to the kernel (sfu/heap_trimmer.hpp):
// the worker asks for a trim about a second after the last release.
TEST(Worker, TheHeapIsTrimmedOnceTheCallsDtlsStateIsFreed) {
  CallHarness h;
  Endpoint& a = h.join("r", "a");
  Endpoint& b = h.join("r", "b");
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.pubConnected() && a.subConnected() && b.subConnected(); }));
  MediaPump pumpA(h.loop(), a);
  MediaPump pumpB(h.loop(), b);
  pumpA.start();
  pumpB.start();
  HeapTrimmer::forgetLastProcessTrim();  // an earlier test's call in this process may have trimmed
  const double before = heapTrims(h.plane());  // process-wide: earlier tests in this process count
  ASSERT_TRUE(h.runUntil([&] { return heapTrims(h.plane()) >= before + 1; }, 5s)) << "no trim after the DTLS releases";
  h.runFor(3s);
  EXPECT_EQ(heapTrims(h.plane()), before + 1) << "one trim per burst of frees, at most one per 10 s";
  EXPECT_TRUE(h.failures().empty());
}

TEST(Worker, TwoRoomsOnTwoWorkersAreIsolated) {
  CallHarness h(2);
  Endpoint& a = h.join("r1", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r1", "b", JoinOptions{.publish = false, .subscribe = true});
  Endpoint& c = h.join("r2", "c", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& d = h.join("r2", "d", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected() && c.pubConnected() && d.subConnected(); }));
  // Two workers, two sockets.
  EXPECT_NE(serverCandidate(b.offers.back())->port(), serverCandidate(d.offers.back())->port());
  // Each subscriber was offered its own room's tracks only.
  EXPECT_NE(b.offers.back().find("a=msid:a "), std::string::npos);
  EXPECT_EQ(b.offers.back().find("a=msid:c "), std::string::npos);
  EXPECT_NE(d.offers.back().find("a=msid:c "), std::string::npos);
  EXPECT_EQ(d.offers.back().find("a=msid:a "), std::string::npos);

  MediaPump pumpA(h.loop(), a);
  MediaPump pumpC(h.loop(), c);
  pumpA.start();
  pumpC.start();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 30 && d.count(MediaKind::kVideo) >= 30; }));
  EXPECT_EQ(b.receivedSsrcs(MediaKind::kVideo).size() + b.receivedSsrcs(MediaKind::kAudio).size(), 2u);
  EXPECT_EQ(d.receivedSsrcs(MediaKind::kVideo).size() + d.receivedSsrcs(MediaKind::kAudio).size(), 2u);
  for (const auto& r : b.received) {
    ASSERT_TRUE(r.sendTime && a.sentTimes.count(r.sendTime->count())) << "b got a packet a did not send";
  }
  for (const auto& r : d.received) {
    ASSERT_TRUE(r.sendTime && c.sentTimes.count(r.sendTime->count())) << "d got a packet c did not send";
  }

  // Ending room 1 leaves room 2 alone.
  h.plane().closeRoom("r1");
  size_t dBefore = d.received.size();
  ASSERT_TRUE(h.runUntil([&] { return d.received.size() >= dBefore + 60; }));
  EXPECT_TRUE(h.failures().empty());
  EXPECT_TRUE(d.subConnected());
}

}  // namespace
}  // namespace medrtc::sfu::test
