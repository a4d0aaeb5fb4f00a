// The published vectors, byte for byte: RFC 3711 Appendix B.2 (AES-CM keystream) and B.3
// (key derivation), RFC 7714 §16 (SRTP AEAD_AES_128_GCM / AEAD_AES_256_GCM) and §17 (SRTCP).
// RFC 7714 gives session keys, so those go in below the key derivation.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "srtp/srtp_kdf.hpp"
#include "srtp/srtp_session.hpp"
#include "srtp_test_util.hpp"

namespace medrtc::srtp {
namespace {

using test::fromHex;

std::unique_ptr<SrtpSession> fromSessionKeys(SrtpDirection direction, SrtpProfile profile, std::string_view keyHex,
                                             std::string_view saltHex) {
  SrtpSessionKeys keys;
  keys.profile = profile;
  auto key = fromHex(keyHex);
  auto salt = fromHex(saltHex);
  std::memcpy(keys.rtpKey.data(), key.data(), key.size());
  std::memcpy(keys.rtpSalt.data(), salt.data(), salt.size());
  keys.rtcpKey = keys.rtpKey;
  keys.rtcpSalt = keys.rtpSalt;
  auto session = SrtpSession::createFromSessionKeys(direction, keys);
  EXPECT_TRUE(session.ok());
  return session.ok() ? std::move(session).value() : nullptr;
}

// RFC 3711 B.3.
constexpr std::string_view kB3MasterKey = "e1f97a0d3e018be0d64fa32c06de4139";
constexpr std::string_view kB3MasterSalt = "0ec675ad498afeebb6960b3aabe6";

std::vector<uint8_t> prf(SrtpKdfLabel label, size_t length) {
  std::vector<uint8_t> out(length);
  EXPECT_TRUE(srtpPrf(fromHex(kB3MasterKey), fromHex(kB3MasterSalt), label, out));
  return out;
}

TEST(SrtpRfc3711, B3KeyDerivation) {
  EXPECT_EQ(prf(SrtpKdfLabel::kRtpEncryption, 16), fromHex("c61e7a93744f39ee10734afe3ff7a087"));
  EXPECT_EQ(prf(SrtpKdfLabel::kRtpSalt, 14), fromHex("30cbbc08863d8c85d49db34a9ae1"));
  // The RFC lists 94 bytes of the authentication key stream; HMAC-SHA1 uses the first 20.
  EXPECT_EQ(prf(SrtpKdfLabel::kRtpAuthentication, 94),
            fromHex("cebe321f6ff7716b6fd4ab49af256a156d38baa48f0a0acf3c34e2359e6cdbce"
                    "e049646c43d9327ad175578ef72270986371c10c9a369ac2f94a8c5fbcdddc25"
                    "6d6e919a48b610ef17c2041e474035766b68642c59bbfc2f34db60dbdfb2"));
  auto keys = deriveSrtpSessionKeys(SrtpProfile::kAes128CmSha1_80, fromHex(std::string(kB3MasterKey) +
                                                                             std::string(kB3MasterSalt)));
  ASSERT_TRUE(keys);
  EXPECT_EQ(std::vector<uint8_t>(keys->rtpKey.begin(), keys->rtpKey.begin() + 16),
            fromHex("c61e7a93744f39ee10734afe3ff7a087"));
  EXPECT_EQ(std::vector<uint8_t>(keys->rtpAuthKey.begin(), keys->rtpAuthKey.end()),
            fromHex("cebe321f6ff7716b6fd4ab49af256a156d38baa4"));
  EXPECT_EQ(std::vector<uint8_t>(keys->rtpSalt.begin(), keys->rtpSalt.end()), fromHex("30cbbc08863d8c85d49db34a9ae1"));
}

// RFC 3711 B.2: session key and salt with SSRC 0 and index 0, so encrypting zeros in an
// RTP packet of sequence number 0 and SSRC 0 gives the keystream itself.
TEST(SrtpRfc3711, B2AesCmKeystream) {
  auto sender = fromSessionKeys(SrtpDirection::kOutbound, SrtpProfile::kAes128CmSha1_80,
                                "2b7e151628aed2a6abf7158809cf4f3c", "f0f1f2f3f4f5f6f7f8f9fafbfcfd");
  ASSERT_TRUE(sender);
  std::vector<uint8_t> packet(12 + 48 + kSrtpMaxRtpTrailer, 0);
  packet[0] = 0x80;
  auto r = sender->protectRtp(packet.data(), 12 + 48, packet.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::vector<uint8_t>(packet.begin() + 12, packet.begin() + 60),
            fromHex("e03ead0935c95e80e166b16dd92b4eb4"
                    "d23513162b02d0f72a43a2fe4a5f97ab"
                    "41e95b3bb0a2e8dd477901e4fca894c0"));
}

// RFC 7714 §16: "Gallia est omnis divisa in partes tres", seq 0xf17b, SSRC 0x5501a0b2.
constexpr std::string_view kGcmKey128 = "000102030405060708090a0b0c0d0e0f";
constexpr std::string_view kGcmKey256 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kGcmSalt = "517569642070726f2071756f";
constexpr std::string_view kRfc7714Rtp =
    "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e697320646976" "69736120696e20706172746573207472" "6573";
constexpr std::string_view kRfc7714Srtp128 =
    "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd5" "0d294e6f42a5f47a51c7d19b36de3adf"
    "8833899d7f27beb16a9152cf765ee439" "0cce";
constexpr std::string_view kRfc7714Srtp256 =
    "8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab1801238" "9a58e2f3b50b2a0276ffae0f1ba63799"
    "b87b7aa3db36dfffd6b0f9bb7878d7a7" "6c13";
// RFC 7714 §17: the RTCP packet sections 17.1-17.3 operate on, SRTCP index 0x5d4.
constexpr std::string_view kRfc7714Rtcp =
    "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61" "deadbeefdeadbeefdeadbeefdeadbeef" "deadbeef";
constexpr std::string_view kRfc7714Srtcp128 =
    "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32d" "c676a5f1730d6fda4ce09b4686303ded"
    "0bb9275bc84aa45896cf4d2fc5abf872" "45d9eade800005d4";
constexpr std::string_view kRfc7714Srtcp256 =
    "81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50" "a2eaa5c1110555be8415f658c61de047"
    "6f1b6fad1d1eb30c4446839f57ff6f6c" "b26ac3be800005d4";
constexpr std::string_view kRfc7714Srtcp128TagOnly =
    "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61" "deadbeefdeadbeefdeadbeefdeadbeef"
    "deadbeef841dd9683dd78ec92ae58790" "125f62b3000005d4";
constexpr uint32_t kRfc7714SrtcpIndex = 0x5d4;

struct GcmCase {
  const char* name;
  SrtpProfile profile;
  std::string_view key;
  std::string_view srtp;
  std::string_view srtcp;
};

class SrtpRfc7714 : public ::testing::TestWithParam<GcmCase> {};

TEST_P(SrtpRfc7714, Section16SrtpProtectAndUnprotect) {
  const auto& c = GetParam();
  auto sender = fromSessionKeys(SrtpDirection::kOutbound, c.profile, c.key, kGcmSalt);
  auto receiver = fromSessionKeys(SrtpDirection::kInbound, c.profile, c.key, kGcmSalt);
  ASSERT_TRUE(sender && receiver);
  auto packet = fromHex(kRfc7714Rtp);
  size_t length = packet.size();
  packet.resize(length + kSrtpMaxRtpTrailer);
  auto r = sender->protectRtp(packet.data(), length, packet.size());
  ASSERT_TRUE(r.ok());
  packet.resize(*r);
  EXPECT_EQ(packet, fromHex(c.srtp));
  auto u = receiver->unprotectRtp(packet.data(), packet.size());
  ASSERT_TRUE(u.ok()) << toString(u.error());
  packet.resize(*u);
  EXPECT_EQ(packet, fromHex(kRfc7714Rtp));
}

TEST_P(SrtpRfc7714, Section17SrtcpProtectAndUnprotect) {
  const auto& c = GetParam();
  auto receiver = fromSessionKeys(SrtpDirection::kInbound, c.profile, c.key, kGcmSalt);
  ASSERT_TRUE(receiver);
  auto wire = fromHex(c.srtcp);
  auto u = receiver->unprotectRtcp(wire.data(), wire.size());
  ASSERT_TRUE(u.ok()) << toString(u.error());
  wire.resize(*u);
  EXPECT_EQ(wire, fromHex(kRfc7714Rtcp));

  // Our sender counts from index 1: send up to the vector's index, then compare.
  auto sender = fromSessionKeys(SrtpDirection::kOutbound, c.profile, c.key, kGcmSalt);
  ASSERT_TRUE(sender);
  std::vector<uint8_t> packet;
  for (uint32_t i = 1; i <= kRfc7714SrtcpIndex; ++i) {
    packet = fromHex(kRfc7714Rtcp);
    size_t length = packet.size();
    packet.resize(length + kSrtpMaxRtcpTrailer);
    auto r = sender->protectRtcp(packet.data(), length, packet.size());
    ASSERT_TRUE(r.ok());
    packet.resize(*r);
  }
  EXPECT_EQ(packet, fromHex(c.srtcp));
}

INSTANTIATE_TEST_SUITE_P(Gcm, SrtpRfc7714,
                         ::testing::Values(GcmCase{"Aes128", SrtpProfile::kAeadAes128Gcm, kGcmKey128, kRfc7714Srtp128,
                                                   kRfc7714Srtcp128},
                                           GcmCase{"Aes256", SrtpProfile::kAeadAes256Gcm, kGcmKey256, kRfc7714Srtp256,
                                                   kRfc7714Srtcp256}),
                         [](const auto& info) { return std::string(info.param.name); });

// RFC 7714 §17.3: E flag clear, nothing encrypted, the whole packet is associated data.
TEST(SrtpRfc7714Tag, Section17_3TagOnlySrtcpIsAccepted) {
  auto receiver = fromSessionKeys(SrtpDirection::kInbound, SrtpProfile::kAeadAes128Gcm, kGcmKey128, kGcmSalt);
  ASSERT_TRUE(receiver);
  auto wire = fromHex(kRfc7714Srtcp128TagOnly);
  auto u = receiver->unprotectRtcp(wire.data(), wire.size());
  ASSERT_TRUE(u.ok()) << toString(u.error());
  wire.resize(*u);
  EXPECT_EQ(wire, fromHex(kRfc7714Rtcp));
  auto tampered = fromHex(kRfc7714Srtcp128TagOnly);
  tampered[20] ^= 1;
  auto receiver2 = fromSessionKeys(SrtpDirection::kInbound, SrtpProfile::kAeadAes128Gcm, kGcmKey128, kGcmSalt);
  EXPECT_EQ(receiver2->unprotectRtcp(tampered.data(), tampered.size()).error(), SrtpError::kAuthFailed);
}

}  // namespace
}  // namespace medrtc::srtp
