#include "srtp/srtp_profile.hpp"

#include <gtest/gtest.h>

namespace medrtc::srtp {
namespace {

TEST(SrtpProfile, GcmSizesFollowRfc7714) {
  const auto& spec = srtpProfileSpec(SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(spec.masterKeyLength, 16u);
  EXPECT_EQ(spec.masterSaltLength, 12u);  // RFC 7714 §12: 96-bit salt
  EXPECT_EQ(spec.keySaltLength(), 28u);
  EXPECT_EQ(spec.rtpTrailerLength, 16u);
  EXPECT_EQ(spec.rtcpTrailerLength, 20u);
  EXPECT_EQ(spec.openSslName, "SRTP_AEAD_AES_128_GCM");
}

TEST(SrtpProfile, Sha1_80SizesFollowRfc3711) {
  const auto& spec = srtpProfileSpec(SrtpProfile::kAes128CmSha1_80);
  EXPECT_EQ(spec.masterKeyLength, 16u);
  EXPECT_EQ(spec.masterSaltLength, 14u);  // RFC 3711 §8.2: 112-bit salt
  EXPECT_EQ(spec.keySaltLength(), 30u);
  EXPECT_EQ(spec.rtpTrailerLength, 10u);
  EXPECT_EQ(spec.rtcpTrailerLength, 14u);
}

TEST(SrtpProfile, MapsOpenSslProtectionProfileIds) {
  EXPECT_EQ(srtpProfileFromOpenSsl(0x0007), SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(srtpProfileFromOpenSsl(0x0001), SrtpProfile::kAes128CmSha1_80);
  EXPECT_EQ(srtpProfileFromOpenSsl(0x0002), std::nullopt);  // SHA1_32: not offered
  EXPECT_EQ(srtpProfileFromOpenSsl(0x0008), SrtpProfile::kAeadAes256Gcm);
}

TEST(SrtpProfile, Gcm256SizesFollowRfc7714) {
  const auto& spec = srtpProfileSpec(SrtpProfile::kAeadAes256Gcm);
  EXPECT_EQ(spec.masterKeyLength, 32u);
  EXPECT_EQ(spec.masterSaltLength, 12u);
  EXPECT_EQ(spec.keySaltLength(), 44u);
  EXPECT_EQ(spec.rtpTrailerLength, 16u);
  EXPECT_EQ(spec.rtcpTrailerLength, 20u);
  EXPECT_EQ(spec.openSslName, "SRTP_AEAD_AES_256_GCM");
}

TEST(SrtpProfile, MapsOpenSslNames) {
  EXPECT_EQ(srtpProfileFromName("SRTP_AES128_CM_SHA1_80"), SrtpProfile::kAes128CmSha1_80);
  EXPECT_EQ(srtpProfileFromName("SRTP_AEAD_AES_128_GCM"), SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(srtpProfileFromName("nope"), std::nullopt);
  EXPECT_EQ(toString(SrtpProfile::kAes128CmSha1_80), "SRTP_AES128_CM_SHA1_80");
}

}  // namespace
}  // namespace medrtc::srtp
