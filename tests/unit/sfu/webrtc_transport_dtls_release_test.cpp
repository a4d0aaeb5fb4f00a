// WebRtcTransport frees its DTLS state once the peer's first SRTP shows it has its keys,
// or after TransportTimeouts::dtlsReleaseGrace; later DTLS datagrams are counted and
// dropped; a probe's transport keeps DTLS so close_notify still ends it. One transport
// over a fake host, a DtlsTransport as the browser, no sockets or threads.
#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_transport.hpp"
#include "ice/stun_message_builder.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/transport_host.hpp"
#include "sfu/webrtc_transport.hpp"
#include "srtp/srtp_session.hpp"

namespace medrtc::sfu {
namespace {

using namespace std::chrono_literals;

struct FakeHost final : TransportHost {
  net::UdpSocket& socket() override { throw std::logic_error("no socket in this test"); }
  void registerTransport(const std::string&, WebRtcTransport&) override {}
  void unregisterTransport(const std::string&, WebRtcTransport&) override {}
  void unregisterUfrag(const std::string&, WebRtcTransport&) override {}
  void bindTuple(const SocketAddress&, WebRtcTransport&) override {}
  Micros now() const override { return clock; }
  MutableByteView reservePacket(WebRtcTransport&, const SocketAddress&) override { return slot; }
  void commitPacket(size_t, net::SendPriority) override {}
  void sendPacket(WebRtcTransport&, ByteView data, const SocketAddress&) override {
    sent.emplace_back(data.begin(), data.end());
  }
  const TransportTimeouts& transportTimeouts() const override { return timeouts; }
  void onDtlsReleased() override { ++dtlsReleases; }

  Micros clock{1'000'000};
  int dtlsReleases = 0;  // the worker trims the heap after these (sfu/heap_trimmer.hpp)
  TransportTimeouts timeouts;
  std::vector<uint8_t> slot = std::vector<uint8_t>(1500);
  std::deque<std::vector<uint8_t>> sent;
};

struct Events final : WebRtcTransport::Listener {
  void onTransportConnected(WebRtcTransport&) override { connected = true; }
  void onTransportRtp(WebRtcTransport&, rtp::RtpPacketView&) override { ++rtp; }
  void onTransportRtcp(WebRtcTransport&, ByteView) override {}
  void onTransportFailed(WebRtcTransport&, const std::string& reason) override { failure = reason; }
  bool connected = false;
  int rtp = 0;
  std::optional<std::string> failure;
};

// The browser's side of DTLS.
struct Browser final : dtls::DtlsTransport::Listener {
  void onDtlsSend(ByteView datagram) override { outbox.emplace_back(datagram.begin(), datagram.end()); }
  void onDtlsConnected(const dtls::SrtpKeyMaterial& k) override { keys = k; }
  void onDtlsFailed(dtls::DtlsError) override {}
  void onDtlsClosed() override {}
  void onDtlsApplicationData(ByteView) override {}
  std::deque<std::vector<uint8_t>> outbox;
  std::optional<dtls::SrtpKeyMaterial> keys;
};

struct Fixture {
  Fixture() {
    transport = std::make_unique<WebRtcTransport>(
        "t", host, dtls::DtlsContext::create(serverCert, dtls::DtlsRole::kServer), events);
    browser = std::make_unique<dtls::DtlsTransport>(dtls::DtlsContext::create(clientCert, dtls::DtlsRole::kClient),
                                                    browserEnd);
  }

  void deliver(std::vector<uint8_t> datagram) { transport->receiveDatagram(datagram, from); }

  // A nominating ICE check, then the DTLS handshake.
  void connect() {
    transport->setRemoteParameters("sha-256", clientCert->fingerprintSha256());
    ASSERT_TRUE(browser->setRemoteFingerprint("sha-256", transport->localFingerprint()).ok());
    std::vector<uint8_t> buffer(ice::StunMessageBuilder::kRecommendedBufferSize);
    ice::StunMessageBuilder check(buffer, ice::StunMethod::kBinding, ice::StunClass::kRequest,
                                  ice::TransactionId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    check.addUsername(transport->localUfrag() + ":brws")
        .addPriority(0x6E0001FF)
        .addIceControlling(42)
        .addUseCandidate()
        .addMessageIntegrity(transport->localPassword())
        .addFingerprint();
    auto bytes = check.finish();
    ASSERT_TRUE(bytes.ok());
    deliver(std::vector<uint8_t>(bytes->begin(), bytes->end()));
    host.sent.clear();  // the check's answer
    browser->start();
    for (int round = 0; round < 50 && (!browserEnd.outbox.empty() || !host.sent.empty()); ++round) {
      pumpToServer();
      while (!host.sent.empty()) {
        auto d = std::move(host.sent.front());
        host.sent.pop_front();
        browser->receiveDatagram(d);
      }
    }
    ASSERT_TRUE(transport->connected());
    ASSERT_TRUE(browserEnd.keys);
  }

  void pumpToServer() {
    while (!browserEnd.outbox.empty()) {
      auto d = std::move(browserEnd.outbox.front());
      browserEnd.outbox.pop_front();
      deliver(std::move(d));
    }
  }

  // One SRTP packet from the browser with the keys the handshake gave it.
  void sendMedia(uint16_t seq) {
    auto out = srtp::SrtpSession::create(srtp::SrtpDirection::kOutbound, browserEnd.keys->profile,
                                         browserEnd.keys->localKeySalt);
    ASSERT_TRUE(out.ok());
    std::vector<uint8_t> packet(12 + 100 + srtp::kSrtpMaxRtpTrailer, 0x5a);
    packet[0] = 0x80;
    packet[1] = 111;
    packet[2] = static_cast<uint8_t>(seq >> 8);
    packet[3] = static_cast<uint8_t>(seq);
    auto length = (*out)->protectRtp(packet.data(), 112, packet.size());
    ASSERT_TRUE(length.ok());
    packet.resize(*length);
    deliver(std::move(packet));
  }

  FakeHost host;
  Events events;
  Browser browserEnd;
  std::shared_ptr<dtls::Certificate> serverCert = dtls::Certificate::generate();
  std::shared_ptr<dtls::Certificate> clientCert = dtls::Certificate::generate();
  SocketAddress from = SocketAddress::fromIp("192.0.2.7", 50000).value();
  std::unique_ptr<WebRtcTransport> transport;
  std::unique_ptr<dtls::DtlsTransport> browser;
};

TEST(WebRtcTransportDtlsRelease, TheBrowsersFirstSrtpReleasesDtls) {
  Fixture f;
  f.connect();
  EXPECT_TRUE(f.events.connected);
  EXPECT_FALSE(f.transport->dtlsReleased()) << "released before the browser showed it has its keys";
  EXPECT_EQ(f.host.dtlsReleases, 0);
  f.sendMedia(1);
  EXPECT_EQ(f.events.rtp, 1);
  EXPECT_TRUE(f.transport->dtlsReleased());
  EXPECT_EQ(f.host.dtlsReleases, 1) << "the host hears of the freed state once";
  f.sendMedia(2);
  EXPECT_EQ(f.events.rtp, 2) << "media goes on after the release";
  EXPECT_EQ(f.host.dtlsReleases, 1);
}

TEST(WebRtcTransportDtlsRelease, LateDtlsIsCountedAndTheTransportStaysUp) {
  Fixture f;
  f.connect();
  f.sendMedia(1);
  ASSERT_TRUE(f.transport->dtlsReleased());
  size_t sentBefore = f.host.sent.size();
  uint64_t countedBefore = mediaCounters().dtlsAfterRelease.value();
  f.browser->close();  // close_notify: unreadable now
  f.pumpToServer();
  EXPECT_EQ(f.transport->stats().dtlsAfterRelease, 1u);
  EXPECT_EQ(mediaCounters().dtlsAfterRelease.value(), countedBefore + 1) << "medrtc_media_dtls_after_release_total";
  EXPECT_FALSE(f.events.failure) << *f.events.failure;
  EXPECT_EQ(f.host.sent.size(), sentBefore) << "a late DTLS datagram is answered by nothing";
  f.sendMedia(2);
  EXPECT_EQ(f.events.rtp, 2);
}

TEST(WebRtcTransportDtlsRelease, WithoutMediaDtlsIsReleasedAfterTheGrace) {
  Fixture f;
  f.host.timeouts.dtlsReleaseGrace = 5s;
  f.connect();
  f.host.clock += 4s;
  f.transport->onTick(f.host.clock);
  EXPECT_FALSE(f.transport->dtlsReleased());
  f.host.clock += 1s;
  f.transport->onTick(f.host.clock);
  EXPECT_TRUE(f.transport->dtlsReleased());
  EXPECT_FALSE(f.events.failure);
}

// A connectivity probe ends on the browser's close_notify (ConnectivityProbe keeps DTLS).
TEST(WebRtcTransportDtlsRelease, KeptDtlsStillReadsCloseNotify) {
  Fixture f;
  f.transport->keepDtlsAfterHandshake();
  f.connect();
  f.sendMedia(1);
  f.host.clock += f.host.timeouts.dtlsReleaseGrace - 1s;
  f.transport->onTick(f.host.clock);
  EXPECT_FALSE(f.transport->dtlsReleased());
  f.browser->close();
  f.pumpToServer();
  ASSERT_TRUE(f.events.failure);
  EXPECT_EQ(*f.events.failure, "dtls closed by peer");
}

// The send-side history (≈ 96 KiB) exists only where transport-cc was negotiated.
TEST(WebRtcTransportDtlsRelease, SendHistoryOnlyWithTransportCc) {
  Fixture f;
  EXPECT_FALSE(f.transport->transportCcNegotiated());
  EXPECT_TRUE(f.transport->sendHistory().empty());
  f.connect();
  std::vector<uint8_t> rtp(12 + 20, 0);
  rtp[0] = 0x80;
  rtp[1] = 96;
  ASSERT_TRUE(f.transport->sendRtp(rtp));
  EXPECT_TRUE(f.transport->sendHistory().empty()) << "no history without transport-cc";
  f.transport->setTransportExtensions(0, 3);
  ASSERT_TRUE(f.transport->sendRtp(rtp));
  EXPECT_EQ(f.transport->sendHistory().packetsSent(), 1u);
}

}  // namespace
}  // namespace medrtc::sfu
