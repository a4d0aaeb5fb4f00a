#include "srtp/srtp_session.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "srtp_test_util.hpp"

namespace medrtc::srtp {
namespace {

using test::fromHex;
using test::makeRtcpSenderReport;
using test::makeRtp;

std::vector<uint8_t> keyFor(SrtpProfile profile, uint8_t seed) {
  std::vector<uint8_t> key(srtpProfileSpec(profile).keySaltLength());
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<uint8_t>(seed + i * 13);
  }
  return key;
}

struct SessionPair {
  std::unique_ptr<SrtpSession> sender;
  std::unique_ptr<SrtpSession> receiver;
};

SessionPair makePair(SrtpProfile profile, uint8_t seed = 1) {
  auto key = keyFor(profile, seed);
  auto out = SrtpSession::create(SrtpDirection::kOutbound, profile, key);
  auto in = SrtpSession::create(SrtpDirection::kInbound, profile, key);
  EXPECT_TRUE(out.ok());
  EXPECT_TRUE(in.ok());
  return {std::move(out).value(), std::move(in).value()};
}

// Protects `packet` (growing it by the trailer) and returns the protected bytes.
std::vector<uint8_t> protectRtp(SrtpSession& s, std::vector<uint8_t> packet) {
  size_t len = packet.size();
  packet.resize(len + kSrtpMaxRtpTrailer);
  auto r = s.protectRtp(packet.data(), len, packet.size());
  EXPECT_TRUE(r.ok());
  packet.resize(r.ok() ? *r : 0);
  return packet;
}

std::vector<uint8_t> protectRtcp(SrtpSession& s, std::vector<uint8_t> packet) {
  size_t len = packet.size();
  packet.resize(len + kSrtpMaxRtcpTrailer);
  auto r = s.protectRtcp(packet.data(), len, packet.size());
  EXPECT_TRUE(r.ok());
  packet.resize(r.ok() ? *r : 0);
  return packet;
}

class SrtpSessionProfiles : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpSessionProfiles, RtpRoundTrip) {
  auto [sender, receiver] = makePair(GetParam());
  for (uint16_t seq = 1; seq <= 3; ++seq) {
    auto plain = makeRtp(seq, 0x11223344, 1200);
    auto wire = protectRtp(*sender, plain);
    ASSERT_EQ(wire.size(), plain.size() + srtpProfileSpec(GetParam()).rtpTrailerLength);
    EXPECT_NE(std::vector<uint8_t>(wire.begin() + 12, wire.begin() + 40),
              std::vector<uint8_t>(plain.begin() + 12, plain.begin() + 40));  // payload encrypted
    auto r = receiver->unprotectRtp(wire.data(), wire.size());
    ASSERT_TRUE(r.ok()) << toString(r.error());
    wire.resize(*r);
    EXPECT_EQ(wire, plain);
  }
}

TEST_P(SrtpSessionProfiles, RtcpRoundTrip) {
  auto [sender, receiver] = makePair(GetParam());
  for (int i = 0; i < 3; ++i) {
    auto plain = makeRtcpSenderReport(0x55667788);
    auto wire = protectRtcp(*sender, plain);
    ASSERT_EQ(wire.size(), plain.size() + srtpProfileSpec(GetParam()).rtcpTrailerLength);
    auto r = receiver->unprotectRtcp(wire.data(), wire.size());
    ASSERT_TRUE(r.ok()) << toString(r.error());
    wire.resize(*r);
    EXPECT_EQ(wire, plain);
  }
}

TEST_P(SrtpSessionProfiles, TamperedRtpFailsAuthentication) {
  auto [sender, receiver] = makePair(GetParam());
  auto wire = protectRtp(*sender, makeRtp(7, 1, 100));
  wire[40] ^= 0x01;
  auto r = receiver->unprotectRtp(wire.data(), wire.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SrtpError::kAuthFailed);
}

TEST_P(SrtpSessionProfiles, TamperedRtcpFailsAuthentication) {
  auto [sender, receiver] = makePair(GetParam());
  auto wire = protectRtcp(*sender, makeRtcpSenderReport(9));
  wire[10] ^= 0x80;
  auto r = receiver->unprotectRtcp(wire.data(), wire.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SrtpError::kAuthFailed);
}

TEST_P(SrtpSessionProfiles, ReplayedRtpIsRejected) {
  auto [sender, receiver] = makePair(GetParam());
  auto wire = protectRtp(*sender, makeRtp(42, 1, 100));
  auto copy = wire;
  ASSERT_TRUE(receiver->unprotectRtp(wire.data(), wire.size()).ok());
  auto r = receiver->unprotectRtp(copy.data(), copy.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SrtpError::kReplay);
}

TEST_P(SrtpSessionProfiles, ReplayedRtcpIsRejected) {
  auto [sender, receiver] = makePair(GetParam());
  auto wire = protectRtcp(*sender, makeRtcpSenderReport(3));
  auto copy = wire;
  ASSERT_TRUE(receiver->unprotectRtcp(wire.data(), wire.size()).ok());
  auto r = receiver->unprotectRtcp(copy.data(), copy.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SrtpError::kReplay);
}

TEST_P(SrtpSessionProfiles, WrongKeyFailsAuthentication) {
  auto sender = SrtpSession::create(SrtpDirection::kOutbound, GetParam(), keyFor(GetParam(), 1));
  auto receiver = SrtpSession::create(SrtpDirection::kInbound, GetParam(), keyFor(GetParam(), 2));
  ASSERT_TRUE(sender.ok());
  ASSERT_TRUE(receiver.ok());
  auto wire = protectRtp(**sender, makeRtp(1, 1, 100));
  auto r = (*receiver)->unprotectRtp(wire.data(), wire.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SrtpError::kAuthFailed);
}

TEST_P(SrtpSessionProfiles, ProtectRefusesBufferWithoutRoomForTrailer) {
  auto [sender, receiver] = makePair(GetParam());
  auto packet = makeRtp(1, 1, 100);
  size_t tag = srtpProfileSpec(GetParam()).rtpTrailerLength;
  packet.resize(packet.size() + tag - 1);
  auto r = sender->protectRtp(packet.data(), 112, packet.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SrtpError::kNoRoom);

  auto rtcp = makeRtcpSenderReport(1);
  size_t rtcpLength = rtcp.size();
  rtcp.resize(rtcpLength + srtpProfileSpec(GetParam()).rtcpTrailerLength - 1);
  auto rr = sender->protectRtcp(rtcp.data(), rtcpLength, rtcp.size());
  ASSERT_FALSE(rr.ok());
  EXPECT_EQ(rr.error(), SrtpError::kNoRoom);
}

// NACK answers resend the original packet with the original sequence number.
TEST_P(SrtpSessionProfiles, OutboundReprotectsRetransmittedPacket) {
  auto [sender, receiver] = makePair(GetParam());
  auto first = protectRtp(*sender, makeRtp(100, 5, 300));
  auto again = protectRtp(*sender, makeRtp(100, 5, 300));
  EXPECT_EQ(first, again);
  // The receiver drops the duplicate that got through, and accepts the one that was lost.
  ASSERT_TRUE(receiver->unprotectRtp(again.data(), again.size()).ok());
}

TEST_P(SrtpSessionProfiles, AcceptsReorderingWithinAVideoSizedWindow) {
  auto [sender, receiver] = makePair(GetParam());
  auto late = protectRtp(*sender, makeRtp(1, 5, 50));
  std::vector<uint8_t> newest;
  for (uint16_t seq = 2; seq <= 900; ++seq) {
    newest = protectRtp(*sender, makeRtp(seq, 5, 50));
  }
  ASSERT_TRUE(receiver->unprotectRtp(newest.data(), newest.size()).ok());
  // 899 packets behind the newest: a 64-packet window would call this too old.
  auto r = receiver->unprotectRtp(late.data(), late.size());
  EXPECT_TRUE(r.ok()) << toString(r.error());
}

TEST_P(SrtpSessionProfiles, DistinctSsrcsShareOneSession) {
  auto [sender, receiver] = makePair(GetParam());
  for (uint32_t ssrc : {1u, 2u, 3u}) {
    auto plain = makeRtp(10, ssrc, 64);
    auto wire = protectRtp(*sender, plain);
    auto r = receiver->unprotectRtp(wire.data(), wire.size());
    ASSERT_TRUE(r.ok()) << toString(r.error());
  }
}

TEST_P(SrtpSessionProfiles, ShortPacketsAreBadPackets) {
  auto [sender, receiver] = makePair(GetParam());
  uint8_t buf[64] = {0x80};
  auto r1 = sender->protectRtp(buf, 11, sizeof buf);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error(), SrtpError::kBadPacket);
  auto r2 = receiver->unprotectRtp(buf, 12);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error(), SrtpError::kBadPacket);
  auto r3 = receiver->unprotectRtcp(buf, 8);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error(), SrtpError::kBadPacket);
}

TEST_P(SrtpSessionProfiles, GarbageIsRejectedWithoutCrashing) {
  auto [sender, receiver] = makePair(GetParam());
  std::vector<uint8_t> buf(200);
  for (size_t i = 0; i < buf.size(); ++i) {
    buf[i] = static_cast<uint8_t>(i * 31 + 7);
  }
  buf[0] = 0x80;
  for (size_t len : {size_t{28}, size_t{40}, size_t{200}}) {
    auto copy = buf;
    EXPECT_FALSE(receiver->unprotectRtp(copy.data(), len).ok());
    copy = buf;
    EXPECT_FALSE(receiver->unprotectRtcp(copy.data(), len).ok());
  }
}

// RFC 3711 §3.3.1: the ROC steps at 65535 -> 0 on both sides, and a packet from before
// the rollover that arrives after it is still decrypted with the old ROC.
TEST_P(SrtpSessionProfiles, RolloverCounterFollowsTheSequenceNumberWrap) {
  auto [sender, receiver] = makePair(GetParam());
  std::vector<std::vector<uint8_t>> wire;
  for (uint16_t seq : {uint16_t{65534}, uint16_t{65535}, uint16_t{0}, uint16_t{1}}) {
    wire.push_back(protectRtp(*sender, makeRtp(seq, 9, 80)));
  }
  for (size_t i : {0u, 2u, 1u, 3u}) {
    auto r = receiver->unprotectRtp(wire[i].data(), wire[i].size());
    ASSERT_TRUE(r.ok()) << i << ": " << toString(r.error());
    wire[i].resize(*r);
  }
  EXPECT_EQ(wire[2], makeRtp(0, 9, 80));
  EXPECT_EQ(wire[1], makeRtp(65535, 9, 80));
}

// A forged packet with an unknown SSRC fails and leaves no state behind: the same SSRC's
// genuine packets are still accepted from their first sequence number.
TEST_P(SrtpSessionProfiles, FailedPacketsCreateNoStreamState) {
  auto [sender, receiver] = makePair(GetParam());
  auto genuine = protectRtp(*sender, makeRtp(40000, 77, 60));
  auto forged = genuine;
  forged[20] ^= 0xff;
  EXPECT_FALSE(receiver->unprotectRtp(forged.data(), forged.size()).ok());
  EXPECT_TRUE(receiver->unprotectRtp(genuine.data(), genuine.size()).ok());
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpSessionProfiles,
                         ::testing::Values(SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                           SrtpProfile::kAes128CmSha1_80),
                         [](const auto& info) {
                           switch (info.param) {
                             case SrtpProfile::kAeadAes128Gcm:
                               return std::string("AeadAes128Gcm");
                             case SrtpProfile::kAeadAes256Gcm:
                               return std::string("AeadAes256Gcm");
                             case SrtpProfile::kAes128CmSha1_80:
                               return std::string("Aes128CmSha1_80");
                           }
                           return std::string("unknown");
                         });

TEST(SrtpSession, RejectsKeyOfWrongLength) {
  std::vector<uint8_t> key(29);
  auto r = SrtpSession::create(SrtpDirection::kInbound, SrtpProfile::kAes128CmSha1_80, key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), SrtpError::kBadKeyLength);
  std::vector<uint8_t> key30(30);
  auto g = SrtpSession::create(SrtpDirection::kInbound, SrtpProfile::kAeadAes128Gcm, key30);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error(), SrtpError::kBadKeyLength);
}

TEST(SrtpSession, RefusesOperationsAgainstItsDirection) {
  auto key = keyFor(SrtpProfile::kAeadAes128Gcm, 3);
  auto in = SrtpSession::create(SrtpDirection::kInbound, SrtpProfile::kAeadAes128Gcm, key);
  auto out = SrtpSession::create(SrtpDirection::kOutbound, SrtpProfile::kAeadAes128Gcm, key);
  ASSERT_TRUE(in.ok());
  ASSERT_TRUE(out.ok());
  auto packet = makeRtp(1, 1, 100);
  packet.resize(packet.size() + 16);
  EXPECT_EQ((*in)->protectRtp(packet.data(), 112, packet.size()).error(), SrtpError::kWrongDirection);
  EXPECT_EQ((*out)->unprotectRtp(packet.data(), 112).error(), SrtpError::kWrongDirection);
  EXPECT_EQ((*in)->protectRtcp(packet.data(), 28, packet.size()).error(), SrtpError::kWrongDirection);
  EXPECT_EQ((*out)->unprotectRtcp(packet.data(), 48).error(), SrtpError::kWrongDirection);
}

// Reference packets from libsrtp's test/srtp_driver.c (srtp_validate). The master key and
// salt are the RFC 3711 Appendix B.3 key-derivation test values; the packet is SSRC
// 0xcafebabe, seq 0x1234, 16 bytes of 0xab payload.
constexpr std::string_view kRfc3711MasterKeySalt = "e1f97a0d3e018be0d64fa32c06de4139" "0ec675ad498afeebb6960b3aabe6";
constexpr std::string_view kReferenceRtp = "800f1234decafbadcafebabe" "abababababababababababababababab";
constexpr std::string_view kReferenceRtcp = "81c8000bcafebabe" "abababababababababababababababab";

TEST(SrtpSessionVector, Aes128CmSha1_80MatchesReferenceRtp) {
  auto key = fromHex(kRfc3711MasterKeySalt);
  auto sender = SrtpSession::create(SrtpDirection::kOutbound, SrtpProfile::kAes128CmSha1_80, key);
  ASSERT_TRUE(sender.ok());
  auto wire = protectRtp(**sender, fromHex(kReferenceRtp));
  EXPECT_EQ(wire, fromHex("800f1234decafbadcafebabe"
                          "4e55dc4ce79978d88ca4d215949d2402"
                          "b78d6acc99ea179b8dbb"));

  auto receiver = SrtpSession::create(SrtpDirection::kInbound, SrtpProfile::kAes128CmSha1_80, key);
  ASSERT_TRUE(receiver.ok());
  auto r = (*receiver)->unprotectRtp(wire.data(), wire.size());
  ASSERT_TRUE(r.ok());
  wire.resize(*r);
  EXPECT_EQ(wire, fromHex(kReferenceRtp));
}

TEST(SrtpSessionVector, Aes128CmSha1_80MatchesReferenceRtcp) {
  auto key = fromHex(kRfc3711MasterKeySalt);
  auto sender = SrtpSession::create(SrtpDirection::kOutbound, SrtpProfile::kAes128CmSha1_80, key);
  ASSERT_TRUE(sender.ok());
  auto wire = protectRtcp(**sender, fromHex(kReferenceRtcp));
  EXPECT_EQ(wire, fromHex("81c8000bcafebabe"
                          "7128035be487b9bdbef89041f977a5a8"
                          "80000001"  // E=1, SRTCP index 1 (RFC 3711 §3.4)
                          "993e08cd54d6c1230798"));
}

constexpr std::string_view kGcmMasterKeySalt = "000102030405060708090a0b0c0d0e0f" "a0a1a2a3a4a5a6a7a8a9aaab";

TEST(SrtpSessionVector, AeadAes128GcmMatchesReferenceRtp) {
  auto key = fromHex(kGcmMasterKeySalt);
  auto sender = SrtpSession::create(SrtpDirection::kOutbound, SrtpProfile::kAeadAes128Gcm, key);
  ASSERT_TRUE(sender.ok());
  auto wire = protectRtp(**sender, fromHex(kReferenceRtp));
  EXPECT_EQ(wire, fromHex("800f1234decafbadcafebabe"
                          "c5002ede04cfdd2eb91159e0880aa06e"
                          "d2976826f796b201df3131a127e8a392"));

  auto receiver = SrtpSession::create(SrtpDirection::kInbound, SrtpProfile::kAeadAes128Gcm, key);
  ASSERT_TRUE(receiver.ok());
  auto r = (*receiver)->unprotectRtp(wire.data(), wire.size());
  ASSERT_TRUE(r.ok());
  wire.resize(*r);
  EXPECT_EQ(wire, fromHex(kReferenceRtp));
}

TEST(SrtpSessionVector, AeadAes128GcmMatchesReferenceRtcp) {
  auto key = fromHex(kGcmMasterKeySalt);
  auto sender = SrtpSession::create(SrtpDirection::kOutbound, SrtpProfile::kAeadAes128Gcm, key);
  ASSERT_TRUE(sender.ok());
  auto wire = protectRtcp(**sender, fromHex(kReferenceRtcp));
  // RFC 7714 §9: the tag follows the ciphertext and the SRTCP index comes last.
  EXPECT_EQ(wire, fromHex("81c8000bcafebabe"
                          "c98b8b5df0392a55852b6c21ac8e7025"
                          "c52c6fbea2b3b446ea31123ba88ce61e"
                          "80000001"));
}

}  // namespace
}  // namespace medrtc::srtp
