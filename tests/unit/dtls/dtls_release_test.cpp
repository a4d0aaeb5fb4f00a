// DtlsTransport::releaseHandshakeState: after the handshake a DTLS-SRTP transport keeps only
// the exported keys and the peer certificate's DER; what arrives later is counted, not read.
#include <malloc.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include "dtls/dtls_transport.hpp"
#include "dtls_test_harness.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define MEDRTC_TEST_NO_MALLINFO 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEDRTC_TEST_NO_MALLINFO 1
#endif
#endif

namespace medrtc::dtls {
namespace {

using test::Pair;

TEST(DtlsRelease, KeepsKeysProfileAndStateButNoTimerOrSend) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  ASSERT_EQ(pair.server->state(), DtlsState::kConnected);
  auto profile = pair.server->srtpProfile();
  ASSERT_TRUE(profile);

  pair.server->releaseHandshakeState();
  EXPECT_TRUE(pair.server->released());
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.server->srtpProfile(), profile);
  EXPECT_FALSE(pair.server->nextTimeout(test::realNow()).has_value());
  pair.server->handleTimeout(test::realNow());  // nothing to retransmit with, no crash
  std::vector<uint8_t> data{1, 2, 3};
  auto sent = pair.server->sendApplicationData(data);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error(), DtlsError::kNotConnected);
  EXPECT_FALSE(pair.serverEnd.failure);
}

TEST(DtlsRelease, DoesNothingBeforeConnected) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.server->releaseHandshakeState();
  EXPECT_FALSE(pair.server->released());
  pair.handshake();
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.client->state(), DtlsState::kConnected);
}

// A record from the peer after the release (its data, alerts, close_notify) is dropped
// unread and counted: no callback, no answer, and the transport stays connected.
TEST(DtlsRelease, LaterRecordsAreCountedAndAnsweredByNothing) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  pair.server->releaseHandshakeState();
  size_t sentBefore = pair.serverEnd.datagramsSent;

  std::vector<uint8_t> hello{'h', 'i'};
  ASSERT_TRUE(pair.client->sendApplicationData(hello).ok());
  pair.client->close();  // close_notify
  pair.pump();

  EXPECT_EQ(pair.server->datagramsAfterRelease(), 2u);
  EXPECT_TRUE(pair.serverEnd.received.empty());
  EXPECT_FALSE(pair.serverEnd.closed) << "close_notify cannot be read after the release";
  EXPECT_FALSE(pair.serverEnd.failure);
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_EQ(pair.serverEnd.datagramsSent, sentBefore);
}

TEST(DtlsRelease, CloseAfterReleaseSendsNothingAndCloses) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  pair.server->releaseHandshakeState();
  size_t sentBefore = pair.serverEnd.datagramsSent;
  pair.server->close();
  EXPECT_EQ(pair.server->state(), DtlsState::kClosed);
  EXPECT_EQ(pair.serverEnd.datagramsSent, sentBefore);
}

// A fingerprint in a later offer or answer is still checked against the peer's
// certificate, now from its DER, in any algorithm.
TEST(DtlsRelease, LaterFingerprintIsStillChecked) {
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  pair.server->releaseHandshakeState();

  auto sha1 = formatFingerprint(pair.clientCert->fingerprint(FingerprintAlgorithm::kSha1).digest);
  ASSERT_TRUE(pair.server->setRemoteFingerprint("sha-1", sha1).ok());
  EXPECT_EQ(pair.server->state(), DtlsState::kConnected);
  EXPECT_FALSE(pair.serverEnd.failure);

  auto stranger = Certificate::generate();
  ASSERT_TRUE(pair.server->setRemoteFingerprint("sha-256", stranger->fingerprintSha256()).ok());
  EXPECT_EQ(pair.server->state(), DtlsState::kFailed);
  EXPECT_EQ(pair.serverEnd.failure, DtlsError::kFingerprintMismatch);
}

TEST(DtlsRelease, FingerprintOfDerMatchesFingerprintOfX509) {
  auto cert = Certificate::generate();
  int length = i2d_X509(cert->x509(), nullptr);
  ASSERT_GT(length, 0);
  std::vector<uint8_t> der(static_cast<size_t>(length));
  uint8_t* out = der.data();
  ASSERT_EQ(i2d_X509(cert->x509(), &out), length);
  for (auto alg : {FingerprintAlgorithm::kSha1, FingerprintAlgorithm::kSha256, FingerprintAlgorithm::kSha512}) {
    EXPECT_EQ(fingerprintOfDer(der, alg), fingerprintOf(cert->x509(), alg));
  }
}

// What the release is for: the heap OpenSSL held for the association goes. glibc's
// mallinfo2 counts bytes in use; ASan replaces malloc, so there it reads nothing.
TEST(DtlsRelease, FreesTheSslStateOfTheAssociation) {
#ifdef MEDRTC_TEST_NO_MALLINFO
  GTEST_SKIP() << "mallinfo2 does not see ASan's heap";
#else
  Pair pair;
  pair.exchangeFingerprints();
  pair.handshake();
  // Some traffic, so the record layer has its buffers as in a call.
  std::vector<uint8_t> hello{'h', 'i'};
  ASSERT_TRUE(pair.client->sendApplicationData(hello).ok());
  pair.pump();
  size_t before = mallinfo2().uordblks;
  pair.server->releaseHandshakeState();
  size_t after = mallinfo2().uordblks;
  ASSERT_LT(after, before);
  size_t freed = before - after;
  RecordProperty("bytes_freed", static_cast<int>(freed));
  // 53 KB (53,168 bytes) with Debian's OpenSSL 3.0 (docs/life-of-a-packet.md); a release
  // that frees only our own small members would stay far below half of that.
  EXPECT_GT(freed, 24u * 1024) << freed;
#endif
}

}  // namespace
}  // namespace medrtc::dtls
