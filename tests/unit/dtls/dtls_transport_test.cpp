#include "dtls/dtls_transport.hpp"

#include <gtest/gtest.h>

#include <random>

#include "dtls_test_harness.hpp"
#include "srtp/srtp_session.hpp"

namespace medrtc::dtls {
namespace {

using srtp::SrtpDirection;
using srtp::SrtpProfile;
using srtp::SrtpSession;
using test::Pair;

std::vector<uint8_t> rtpPacket(uint16_t seq) {
  std::vector<uint8_t> p(12 + 100 + srtp::kSrtpMaxRtpTrailer, 0x5a);
  p[0] = 0x80;
  p[1] = 111;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  p[8] = 0xde;
  p[9] = 0xad;
  p[10] = 0xbe;
  p[11] = 0xef;
  return p;
}

// What one side protects with its local keys, the other unprotects with its remote keys.
void expectSrtpFlows(const SrtpKeyMaterial& from, const SrtpKeyMaterial& to) {
  auto out = SrtpSession::create(SrtpDirection::kOutbound, from.profile, from.localKeySalt);
  auto in = SrtpSession::create(SrtpDirection::kInbound, to.profile, to.remoteKeySalt);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(in.ok());
  auto packet = rtpPacket(1);
  auto protectedLength = (*out)->protectRtp(packet.data(), 112, packet.size());
  ASSERT_TRUE(protectedLength.ok());
  auto plainLength = (*in)->unprotectRtp(packet.data(), *protectedLength);
  ASSERT_TRUE(plainLength.ok()) << srtp::toString(plainLength.error());
  EXPECT_EQ(*plainLength, 112u);
}

TEST(DtlsTransport, HandshakeDerivesMatchingSrtpKeys) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();

  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  ASSERT_TRUE(pair.serverEnd.keys && pair.clientEnd.keys);
  const auto& s = *pair.serverEnd.keys;
  const auto& c = *pair.clientEnd.keys;
  EXPECT_EQ(c.profile, SrtpProfile::kAeadAes128Gcm);  // both offer GCM; preferred
  EXPECT_EQ(s.profile, c.profile);
  EXPECT_EQ(c.localKeySalt, s.remoteKeySalt);
  EXPECT_EQ(c.remoteKeySalt, s.localKeySalt);
  EXPECT_NE(c.localKeySalt, c.remoteKeySalt);
  EXPECT_EQ(c.localKeySalt.size(), 28u);
  expectSrtpFlows(c, s);
  expectSrtpFlows(s, c);
  EXPECT_EQ(pair.server->srtpProfile(), SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsTransport, DatagramsRespectTheMtu) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  EXPECT_LE(pair.serverEnd.largestDatagram, 1200u);
  EXPECT_LE(pair.clientEnd.largestDatagram, 1200u);
}

TEST(DtlsTransport, SmallMtuFragmentsTheHandshakeAndStillConnects) {
  DtlsConfig small;
  small.mtu = 300;
  Pair pair(small, small);
  pair.exchangeFingerprints();
  pair.handshake();
  ASSERT_EQ(pair.client->state(), DtlsState::kConnected);
  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_LE(pair.serverEnd.largestDatagram, 300u);
  EXPECT_LE(pair.clientEnd.largestDatagram, 300u);
  EXPECT_EQ(pair.clientEnd.keys->localKeySalt, pair.serverEnd.keys->remoteKeySalt);

  Pair normal;
  normal.exchangeFingerprints();
  normal.handshake();
  EXPECT_GT(pair.serverEnd.datagramsSent, normal.serverEnd.datagramsSent);  // really fragmented
}

TEST(DtlsTransport, ServerPicksSha1_80WhenClientOffersOnlyThat) {
  DtlsConfig clientConfig;
  clientConfig.srtpProfiles = {SrtpProfile::kAes128CmSha1_80};
  Pair pair({}, clientConfig);
  pair.exchangeFingerprints();
  pair.handshake();
  ASSERT_TRUE(pair.serverEnd.keys && pair.clientEnd.keys);
  EXPECT_EQ(pair.serverEnd.keys->profile, SrtpProfile::kAes128CmSha1_80);
  EXPECT_EQ(pair.clientEnd.keys->profile, SrtpProfile::kAes128CmSha1_80);
  EXPECT_EQ(pair.clientEnd.keys->localKeySalt.size(), 30u);
  expectSrtpFlows(*pair.clientEnd.keys, *pair.serverEnd.keys);
  expectSrtpFlows(*pair.serverEnd.keys, *pair.clientEnd.keys);
}

// A peer that offers only AEAD_AES_256_GCM (RFC 7714 §14.2) gets it, and its 32-byte keys
// carry media both ways.
TEST(DtlsTransport, ServerAcceptsAeadAes256GcmWhenClientOffersOnlyThat) {
  DtlsConfig clientConfig;
  clientConfig.srtpProfiles = {SrtpProfile::kAeadAes256Gcm};
  Pair pair({}, clientConfig);
  pair.exchangeFingerprints();
  pair.handshake();
  ASSERT_TRUE(pair.serverEnd.keys && pair.clientEnd.keys);
  EXPECT_EQ(pair.serverEnd.keys->profile, SrtpProfile::kAeadAes256Gcm);
  EXPECT_EQ(pair.clientEnd.keys->localKeySalt.size(), 44u);
  expectSrtpFlows(*pair.clientEnd.keys, *pair.serverEnd.keys);
  expectSrtpFlows(*pair.serverEnd.keys, *pair.clientEnd.keys);
}

TEST(DtlsTransport, ServerPreferenceWinsOverClientOrder) {
  DtlsConfig clientConfig;
  clientConfig.srtpProfiles = {SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm};
  Pair pair({}, clientConfig);
  pair.exchangeFingerprints();
  pair.handshake();
  ASSERT_TRUE(pair.clientEnd.keys);
  EXPECT_EQ(pair.clientEnd.keys->profile, SrtpProfile::kAeadAes128Gcm);
}

TEST(DtlsTransport, NoCommonSrtpProfileFailsBothSides) {
  DtlsConfig clientConfig;
  clientConfig.srtpProfiles = {};  // no use_srtp extension at all
  Pair pair({}, clientConfig);
  pair.exchangeFingerprints();
  pair.handshake();
  EXPECT_EQ(pair.serverEnd.failure, DtlsError::kNoSrtpProfile);
  EXPECT_EQ(pair.clientEnd.failure, DtlsError::kNoSrtpProfile);
  EXPECT_FALSE(pair.serverEnd.keys || pair.clientEnd.keys);
}

TEST(DtlsTransport, ServerRejectsClientCertificateWithWrongFingerprint) {
  Pair pair;
  auto stranger = Certificate::generate();
  ASSERT_TRUE(pair.server->setRemoteFingerprint("sha-256", stranger->fingerprintSha256()).ok());
  ASSERT_TRUE(pair.client->setRemoteFingerprint("sha-256", pair.serverCert->fingerprintSha256()).ok());
  pair.handshake();
  EXPECT_EQ(pair.server->state(), DtlsState::kFailed);
  EXPECT_EQ(pair.serverEnd.failure, DtlsError::kFingerprintMismatch);
  EXPECT_FALSE(pair.serverEnd.keys);
  // The server's bad_certificate alert ends the client's handshake too.
  EXPECT_EQ(pair.client->state(), DtlsState::kFailed);
  EXPECT_EQ(pair.clientEnd.failure, DtlsError::kAlertReceived);
  EXPECT_FALSE(pair.clientEnd.keys);
}

TEST(DtlsTransport, ClientRejectsServerCertificateWithWrongFingerprint) {
  Pair pair;
  auto stranger = Certificate::generate();
  ASSERT_TRUE(pair.server->setRemoteFingerprint("sha-256", pair.clientCert->fingerprintSha256()).ok());
  ASSERT_TRUE(pair.client->setRemoteFingerprint("sha-256", stranger->fingerprintSha256()).ok());
  pair.handshake();
  EXPECT_EQ(pair.clientEnd.failure, DtlsError::kFingerprintMismatch);
  EXPECT_FALSE(pair.clientEnd.keys);
  EXPECT_NE(pair.server->state(), DtlsState::kConnected);
  EXPECT_FALSE(pair.serverEnd.keys);
}

TEST(DtlsTransport, LateFingerprintIsCheckedBeforeKeysAreReleased) {
  Pair pair;
  ASSERT_TRUE(pair.client->setRemoteFingerprint("sha-256", pair.serverCert->fingerprintSha256()).ok());
  pair.handshake();
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
  // The server finished the handshake but has no fingerprint yet: no keys, still connecting.
  EXPECT_EQ(pair.server->state(), DtlsState::kConnecting);
  EXPECT_FALSE(pair.serverEnd.keys);

  ASSERT_TRUE(pair.server->setRemoteFingerprint("sha-256", pair.clientCert->fingerprintSha256()).ok());
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  ASSERT_TRUE(pair.serverEnd.keys);
  EXPECT_EQ(pair.serverEnd.keys->remoteKeySalt, pair.clientEnd.keys->localKeySalt);
}

TEST(DtlsTransport, LateWrongFingerprintFails) {
  Pair pair;
  ASSERT_TRUE(pair.client->setRemoteFingerprint("sha-256", pair.serverCert->fingerprintSha256()).ok());
  pair.handshake();
  ASSERT_EQ(pair.server->state(), DtlsState::kConnecting);
  auto stranger = Certificate::generate();
  ASSERT_TRUE(pair.server->setRemoteFingerprint("sha-256", stranger->fingerprintSha256()).ok());
  EXPECT_EQ(pair.server->state(), DtlsState::kFailed);
  EXPECT_EQ(pair.serverEnd.failure, DtlsError::kFingerprintMismatch);
  EXPECT_FALSE(pair.serverEnd.keys);
}

TEST(DtlsTransport, AcceptsOtherFingerprintAlgorithms) {
  Pair pair;
  auto sha1 = formatFingerprint(pair.clientCert->fingerprint(FingerprintAlgorithm::kSha1).digest);
  auto sha512 = formatFingerprint(pair.serverCert->fingerprint(FingerprintAlgorithm::kSha512).digest);
  ASSERT_TRUE(pair.server->setRemoteFingerprint("SHA-1", sha1).ok());
  ASSERT_TRUE(pair.client->setRemoteFingerprint("sha-512", sha512).ok());
  pair.handshake();
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
}

TEST(DtlsTransport, RejectsUnusableFingerprints) {
  Pair pair;
  auto r1 = pair.server->setRemoteFingerprint("md5", "AB:CD");
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error(), DtlsError::kUnsupportedFingerprintAlgorithm);
  auto r2 = pair.server->setRemoteFingerprint("sha-256", "AB:CD");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error(), DtlsError::kBadFingerprint);
}

TEST(DtlsTransport, GarbageBeforeTheHandshakeIsDroppedAndHandshakeStillWorks) {
  Pair pair;
  pair.exchangeFingerprints();
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> junk(1 + rng() % 1500);
    for (auto& b : junk) {
      b = static_cast<uint8_t>(rng());
    }
    junk[0] = static_cast<uint8_t>(20 + rng() % 44);  // passes the RFC 7983 demux
    pair.server->receiveDatagram(junk);
    pair.client->receiveDatagram(junk);  // client before start(): ignored
  }
  EXPECT_FALSE(pair.serverEnd.keys);
  EXPECT_FALSE(pair.serverEnd.failure);
  EXPECT_NE(pair.server->state(), DtlsState::kConnected);
  pair.serverEnd.outbox.clear();
  pair.handshake();
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
}

TEST(DtlsTransport, GarbageAfterConnectingIsDropped) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> junk(1 + rng() % 200);
    for (auto& b : junk) {
      b = static_cast<uint8_t>(rng());
    }
    junk[0] = 23;  // application_data
    if (junk.size() > 2) {
      junk[1] = 0xfe;
      junk[2] = 0xfd;  // DTLS 1.2
    }
    pair.server->receiveDatagram(junk);
  }
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_TRUE(pair.serverEnd.received.empty());
}

TEST(DtlsTransport, DroppedClientHelloIsRetransmittedOnTimeout) {
  Pair pair(test::fastTimerConfig(), test::fastTimerConfig());
  pair.exchangeFingerprints();
  pair.server->start();
  pair.client->start();
  ASSERT_FALSE(pair.clientEnd.outbox.empty());
  pair.clientEnd.outbox.clear();  // the first flight is lost

  ASSERT_TRUE(pair.client->nextTimeout(test::realNow()).has_value());
  ASSERT_TRUE(test::waitAndHandleTimeout(*pair.client));
  ASSERT_FALSE(pair.clientEnd.outbox.empty());  // ClientHello again
  pair.pump();
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
}

TEST(DtlsTransport, DroppedServerFlightIsRecoveredByClientRetransmission) {
  Pair pair(test::fastTimerConfig(), test::fastTimerConfig());
  pair.exchangeFingerprints();
  pair.server->start();
  pair.client->start();
  bool droppedOnce = false;
  pair.pump([&](bool fromClient, const std::vector<uint8_t>&) {
    if (!fromClient && !droppedOnce) {
      droppedOnce = true;  // the server's first flight (ServerHello ... Done)
      return true;
    }
    return false;
  });
  ASSERT_TRUE(droppedOnce);
  ASSERT_NE(pair.client->state(), DtlsState::kConnected);
  // The client retransmits its ClientHello; the server answers with its flight again.
  for (int i = 0; i < 5 && pair.client->state() != DtlsState::kConnected; ++i) {
    if (!test::waitAndHandleTimeout(*pair.client)) {
      test::waitAndHandleTimeout(*pair.server);
    }
    pair.pump();
  }
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
}

// The server sends the last flight (ChangeCipherSpec, Finished) and is done; if that
// flight is lost the client retransmits its own, and the connected server must answer it
// again from the read path (RFC 6347 §4.2.4).
TEST(DtlsTransport, LostFinalServerFlightIsResentWhenClientRetransmits) {
  Pair pair(test::fastTimerConfig(), test::fastTimerConfig());
  pair.exchangeFingerprints();
  pair.server->start();
  pair.client->start();
  bool dropping = false;
  pair.pump([&](bool fromClient, const std::vector<uint8_t>&) {
    if (pair.server->state() == DtlsState::kConnected && !fromClient) {
      dropping = true;
      return true;
    }
    return false;
  });
  ASSERT_TRUE(dropping);
  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  ASSERT_EQ(pair.client->state(), DtlsState::kConnecting);
  ASSERT_TRUE(test::waitAndHandleTimeout(*pair.client));
  pair.pump();
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
  ASSERT_TRUE(pair.clientEnd.keys && pair.serverEnd.keys);
  EXPECT_EQ(pair.clientEnd.keys->localKeySalt, pair.serverEnd.keys->remoteKeySalt);
}

TEST(DtlsTransport, GivesUpWithTimeoutWhenThePeerNeverAnswers) {
  Pair pair(test::fastTimerConfig(), test::fastTimerConfig());
  pair.exchangeFingerprints();
  pair.client->start();
  int retransmissions = 0;
  while (!pair.clientEnd.failure && retransmissions < 50) {
    if (!test::waitAndHandleTimeout(*pair.client)) {
      break;
    }
    ++retransmissions;
  }
  EXPECT_EQ(pair.clientEnd.failure, DtlsError::kTimeout);
  EXPECT_EQ(pair.client->state(), DtlsState::kFailed);
  EXPECT_GE(retransmissions, 10);
  EXPECT_FALSE(pair.client->nextTimeout(test::realNow()).has_value());
}

TEST(DtlsTransport, NoTimerWhenIdle) {
  Pair pair;
  EXPECT_FALSE(pair.client->nextTimeout(test::realNow()).has_value());  // not started
  pair.server->start();
  EXPECT_FALSE(pair.server->nextTimeout(test::realNow()).has_value());  // waiting, nothing sent
}

TEST(DtlsTransport, ServerStartsOnFirstDatagramWithoutStart) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.client->start();
  pair.pump();
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
}

TEST(DtlsTransport, CarriesApplicationDataBothWays) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  std::vector<uint8_t> hello{'h', 'e', 'l', 'l', 'o'};
  ASSERT_TRUE(pair.client->sendApplicationData(hello).ok());
  pair.pump();
  ASSERT_EQ(pair.serverEnd.received.size(), 1u);
  EXPECT_EQ(pair.serverEnd.received[0], hello);
  ASSERT_TRUE(pair.server->sendApplicationData(hello).ok());
  pair.pump();
  ASSERT_EQ(pair.clientEnd.received.size(), 1u);
}

TEST(DtlsTransport, SendBeforeConnectedIsRefused) {
  Pair pair;
  std::vector<uint8_t> data{1, 2, 3};
  auto r = pair.client->sendApplicationData(data);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), DtlsError::kNotConnected);
}

TEST(DtlsTransport, CloseNotifyReachesThePeer) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  pair.client->close();
  EXPECT_EQ(pair.client->state(), DtlsState::kClosed);
  pair.pump();
  EXPECT_TRUE(pair.serverEnd.closed);
  EXPECT_EQ(pair.server->state(), DtlsState::kClosed);
  EXPECT_FALSE(pair.clientEnd.closed);  // no callback for our own close
}

TEST(DtlsTransport, OneContextServesManyTransports) {
  auto serverCert = Certificate::generate();
  auto clientCert = Certificate::generate();
  auto serverContext = DtlsContext::create(serverCert, DtlsRole::kServer);
  auto clientContext = DtlsContext::create(clientCert, DtlsRole::kClient);
  for (int i = 0; i < 3; ++i) {
    test::Endpoint s;
    test::Endpoint c;
    DtlsTransport server(serverContext, s);
    DtlsTransport client(clientContext, c);
    ASSERT_TRUE(server.setRemoteFingerprint("sha-256", clientCert->fingerprintSha256()).ok());
    ASSERT_TRUE(client.setRemoteFingerprint("sha-256", serverCert->fingerprintSha256()).ok());
    client.start();
    for (int round = 0; round < 20 && (!c.outbox.empty() || !s.outbox.empty()); ++round) {
      while (!c.outbox.empty()) {
        auto d = std::move(c.outbox.front());
        c.outbox.pop_front();
        server.receiveDatagram(d);
      }
      while (!s.outbox.empty()) {
        auto d = std::move(s.outbox.front());
        s.outbox.pop_front();
        client.receiveDatagram(d);
      }
    }
    EXPECT_EQ(server.state(), DtlsState::kConnected);
    ASSERT_TRUE(s.keys && c.keys);
    EXPECT_EQ(s.keys->remoteKeySalt, c.keys->localKeySalt);
  }
}

}  // namespace
}  // namespace medrtc::dtls
