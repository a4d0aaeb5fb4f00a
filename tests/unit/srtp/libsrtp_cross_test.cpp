// Ours against libsrtp2 (a test-only dependency), byte for byte: both protect the same
// packets and must produce the same bytes; each unprotects the other's; both reject the
// same replays. Random packets from a seeded PRNG: sizes, CSRCs, header extensions,
// several SSRCs, a sequence-number rollover (65535 -> 0), reordering, SRTCP indices.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "srtp/srtp_session.hpp"

namespace medrtc::srtp {
namespace {

void setPolicy(SrtpProfile profile, srtp_crypto_policy_t* policy) {
  switch (profile) {
    case SrtpProfile::kAeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(policy);
      return;
    case SrtpProfile::kAeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(policy);
      return;
    case SrtpProfile::kAes128CmSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(policy);
      return;
  }
}

struct LibSrtp {
  srtp_t session = nullptr;
  LibSrtp(SrtpProfile profile, std::vector<uint8_t> key, bool inbound) {
    static const bool initialised = srtp_init() == srtp_err_status_ok;
    EXPECT_TRUE(initialised);
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof policy);
    setPolicy(profile, &policy.rtp);
    setPolicy(profile, &policy.rtcp);
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = key.data();
    policy.window_size = 1024;
    policy.allow_repeat_tx = inbound ? 0 : 1;
    EXPECT_EQ(srtp_create(&session, &policy), srtp_err_status_ok);
  }
  ~LibSrtp() { srtp_dealloc(session); }
};

std::vector<uint8_t> randomRtp(std::mt19937& rng, uint32_t ssrc, uint16_t seq) {
  const size_t csrcs = rng() % 4;
  const bool extension = rng() % 2;
  const size_t extensionWords = rng() % 5;
  const size_t payload = rng() % 1201;
  std::vector<uint8_t> p(12 + 4 * csrcs + (extension ? 4 + 4 * extensionWords : 0) + payload);
  for (auto& b : p) {
    b = static_cast<uint8_t>(rng());
  }
  p[0] = static_cast<uint8_t>(0x80 | (extension ? 0x10 : 0) | csrcs);
  p[1] &= 0x7f;
  writeU16(p.data() + 2, seq);
  writeU32(p.data() + 8, ssrc);
  if (extension) {
    size_t at = 12 + 4 * csrcs;
    writeU16(p.data() + at, 0xbede);  // RFC 8285 one-byte header extensions
    writeU16(p.data() + at + 2, static_cast<uint16_t>(extensionWords));
  }
  return p;
}

std::vector<uint8_t> randomRtcp(std::mt19937& rng, uint32_t ssrc) {
  std::vector<uint8_t> p(8 + 4 * (rng() % 150));
  for (auto& b : p) {
    b = static_cast<uint8_t>(rng());
  }
  p[0] = 0x80;
  p[1] = 200 + rng() % 5;
  writeU16(p.data() + 2, static_cast<uint16_t>(p.size() / 4 - 1));
  writeU32(p.data() + 4, ssrc);
  return p;
}

std::vector<uint8_t> keyFor(SrtpProfile profile, std::mt19937& rng) {
  std::vector<uint8_t> key(srtpProfileSpec(profile).keySaltLength());
  for (auto& b : key) {
    b = static_cast<uint8_t>(rng());
  }
  return key;
}

class LibSrtpCross : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(LibSrtpCross, RtpSameBytesBothWaysAcrossRolloverWithReorderingAndReplays) {
  std::mt19937 rng(20261204);
  const SrtpProfile profile = GetParam();
  auto key = keyFor(profile, rng);
  auto oursOut = SrtpSession::create(SrtpDirection::kOutbound, profile, key);
  auto oursIn = SrtpSession::create(SrtpDirection::kInbound, profile, key);
  ASSERT_TRUE(oursOut.ok() && oursIn.ok());
  LibSrtp libOut(profile, key, false);
  LibSrtp libIn(profile, key, true);

  const uint32_t ssrcs[] = {0x11111111, 0xcafebabe, static_cast<uint32_t>(rng())};
  uint16_t nextSeq[] = {65000, 100, static_cast<uint16_t>(rng())};
  struct Sent {
    std::vector<uint8_t> plain, ours, theirs;
  };
  std::vector<Sent> sent;
  for (int i = 0; i < 3000; ++i) {
    size_t s = rng() % 3;
    auto plain = randomRtp(rng, ssrcs[s], nextSeq[s]++);  // the first SSRC crosses 65535 -> 0
    std::vector<uint8_t> a(plain), b(plain);
    a.resize(plain.size() + SRTP_MAX_TRAILER_LEN);
    b.resize(plain.size() + SRTP_MAX_TRAILER_LEN);
    auto r = (*oursOut)->protectRtp(a.data(), plain.size(), a.size());
    ASSERT_TRUE(r.ok());
    a.resize(*r);
    int length = static_cast<int>(plain.size());
    ASSERT_EQ(srtp_protect(libOut.session, b.data(), &length), srtp_err_status_ok);
    b.resize(static_cast<size_t>(length));
    ASSERT_EQ(a, b) << "packet " << i;
    sent.push_back({std::move(plain), std::move(a), std::move(b)});
  }
  EXPECT_LT(nextSeq[0], 65000);  // wrapped

  // Deliver reordered: shuffle within runs of 20.
  std::vector<size_t> order(sent.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  for (size_t i = 0; i + 20 <= order.size(); i += 20) {
    std::shuffle(order.begin() + static_cast<long>(i), order.begin() + static_cast<long>(i + 20), rng);
  }
  for (size_t i : order) {
    auto a = sent[i].theirs;  // libsrtp's bytes into ours
    auto r = (*oursIn)->unprotectRtp(a.data(), a.size());
    ASSERT_TRUE(r.ok()) << "packet " << i << ": " << toString(r.error());
    a.resize(*r);
    ASSERT_EQ(a, sent[i].plain);
    auto b = sent[i].ours;  // ours into libsrtp
    int length = static_cast<int>(b.size());
    ASSERT_EQ(srtp_unprotect(libIn.session, b.data(), &length), srtp_err_status_ok) << "packet " << i;
    b.resize(static_cast<size_t>(length));
    ASSERT_EQ(b, sent[i].plain);
  }
  // Replays of recent packets: both refuse.
  for (int k = 0; k < 50; ++k) {
    size_t i = sent.size() - 1 - rng() % 300;
    auto a = sent[i].ours;
    auto r = (*oursIn)->unprotectRtp(a.data(), a.size());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), SrtpError::kReplay);
    auto b = sent[i].ours;
    int length = static_cast<int>(b.size());
    EXPECT_EQ(srtp_unprotect(libIn.session, b.data(), &length), srtp_err_status_replay_fail);
  }
  // A resend of an old packet by the sender (NACK) gives the same bytes in both.
  for (int k = 0; k < 20; ++k) {
    const auto& old = sent[rng() % sent.size()];
    std::vector<uint8_t> a(old.plain), b(old.plain);
    a.resize(old.plain.size() + SRTP_MAX_TRAILER_LEN);
    b.resize(old.plain.size() + SRTP_MAX_TRAILER_LEN);
    auto r = (*oursOut)->protectRtp(a.data(), old.plain.size(), a.size());
    ASSERT_TRUE(r.ok());
    a.resize(*r);
    int length = static_cast<int>(old.plain.size());
    ASSERT_EQ(srtp_protect(libOut.session, b.data(), &length), srtp_err_status_ok);
    b.resize(static_cast<size_t>(length));
    EXPECT_EQ(a, b);
    EXPECT_EQ(a, old.ours);
  }
}

TEST_P(LibSrtpCross, RtcpSameBytesBothWaysWithIndicesAndReplays) {
  std::mt19937 rng(4711);
  const SrtpProfile profile = GetParam();
  auto key = keyFor(profile, rng);
  auto oursOut = SrtpSession::create(SrtpDirection::kOutbound, profile, key);
  auto oursIn = SrtpSession::create(SrtpDirection::kInbound, profile, key);
  ASSERT_TRUE(oursOut.ok() && oursIn.ok());
  LibSrtp libOut(profile, key, false);
  LibSrtp libIn(profile, key, true);
  const uint32_t ssrcs[] = {1, 0xdeadbeef};
  for (int i = 0; i < 500; ++i) {
    auto plain = randomRtcp(rng, ssrcs[rng() % 2]);
    std::vector<uint8_t> a(plain), b(plain);
    a.resize(plain.size() + (SRTP_MAX_TRAILER_LEN + 4));
    b.resize(plain.size() + (SRTP_MAX_TRAILER_LEN + 4));
    auto r = (*oursOut)->protectRtcp(a.data(), plain.size(), a.size());
    ASSERT_TRUE(r.ok());
    a.resize(*r);
    int length = static_cast<int>(plain.size());
    ASSERT_EQ(srtp_protect_rtcp(libOut.session, b.data(), &length), srtp_err_status_ok);
    b.resize(static_cast<size_t>(length));
    ASSERT_EQ(a, b) << "packet " << i;

    auto fromLib = b;
    auto u = (*oursIn)->unprotectRtcp(fromLib.data(), fromLib.size());
    ASSERT_TRUE(u.ok()) << toString(u.error());
    fromLib.resize(*u);
    EXPECT_EQ(fromLib, plain);
    auto fromOurs = a;
    length = static_cast<int>(fromOurs.size());
    ASSERT_EQ(srtp_unprotect_rtcp(libIn.session, fromOurs.data(), &length), srtp_err_status_ok);
    fromOurs.resize(static_cast<size_t>(length));
    EXPECT_EQ(fromOurs, plain);

    // The same packet again is a replay for both.
    auto again = a;
    auto replay = (*oursIn)->unprotectRtcp(again.data(), again.size());
    ASSERT_FALSE(replay.ok());
    EXPECT_EQ(replay.error(), SrtpError::kReplay);
    again = a;
    length = static_cast<int>(again.size());
    EXPECT_EQ(srtp_unprotect_rtcp(libIn.session, again.data(), &length), srtp_err_status_replay_fail);
  }
}

TEST_P(LibSrtpCross, TamperedPacketsFailInBoth) {
  std::mt19937 rng(99);
  const SrtpProfile profile = GetParam();
  auto key = keyFor(profile, rng);
  auto oursOut = SrtpSession::create(SrtpDirection::kOutbound, profile, key);
  auto oursIn = SrtpSession::create(SrtpDirection::kInbound, profile, key);
  ASSERT_TRUE(oursOut.ok() && oursIn.ok());
  LibSrtp libIn(profile, key, true);
  for (uint16_t seq = 1; seq <= 200; ++seq) {
    auto plain = randomRtp(rng, 42, seq);
    std::vector<uint8_t> a(plain);
    a.resize(plain.size() + kSrtpMaxRtpTrailer);
    auto r = (*oursOut)->protectRtp(a.data(), plain.size(), a.size());
    ASSERT_TRUE(r.ok());
    a.resize(*r);
    a[rng() % a.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    auto ours = a;
    auto u = (*oursIn)->unprotectRtp(ours.data(), ours.size());
    auto theirs = a;
    int length = static_cast<int>(theirs.size());
    srtp_err_status_t status = srtp_unprotect(libIn.session, theirs.data(), &length);
    EXPECT_FALSE(u.ok());
    EXPECT_NE(status, srtp_err_status_ok);
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, LibSrtpCross,
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

}  // namespace
}  // namespace medrtc::srtp
