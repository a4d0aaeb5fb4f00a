#include "srtp/crypto_backend.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "srtp/srtp_session.hpp"

namespace medrtc::srtp {
namespace {

// NSS, when libsrtp uses it, is set up by us before libsrtp (sized for many sessions);
// libsrtp's own NSS_InitContext calls must then still work, on many sessions at once.
TEST(CryptoBackend, ManySessionsWorkAfterInit) {
  ASSERT_TRUE(initCryptoBackendOnce());
  ASSERT_TRUE(initCryptoBackendOnce());  // idempotent
  std::vector<uint8_t> key(srtpProfileSpec(SrtpProfile::kAeadAes128Gcm).keySaltLength(), 0x42);
  for (int i = 0; i < 64; ++i) {
    key[0] = static_cast<uint8_t>(i);
    auto out = SrtpSession::create(SrtpDirection::kOutbound, SrtpProfile::kAeadAes128Gcm, key);
    auto in = SrtpSession::create(SrtpDirection::kInbound, SrtpProfile::kAeadAes128Gcm, key);
    ASSERT_TRUE(out.ok() && in.ok());
    uint8_t packet[12 + 100 + kSrtpMaxRtpTrailer] = {0x80, 96, 0, 1, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44};
    std::memset(packet + 12, i, 100);
    auto protectedLength = (*out)->protectRtp(packet, 112, sizeof packet);
    ASSERT_TRUE(protectedLength.ok());
    auto length = (*in)->unprotectRtp(packet, *protectedLength);
    ASSERT_TRUE(length.ok());
    EXPECT_EQ(*length, 112u);
    EXPECT_EQ(packet[12 + 99], static_cast<uint8_t>(i));
  }
#if MEDRTC_SRTP_NSS
  EXPECT_TRUE(nssTunedForTime());
#endif
}

}  // namespace
}  // namespace medrtc::srtp
