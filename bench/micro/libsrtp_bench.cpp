// The same protect / unprotect of a 1,200-byte RTP packet as srtp_bench.cpp, through
// Debian's libsrtp2 (crypto over NSS), so one run of medrtc_micro_bench gives the ratio of
// ours to what medrtc used before (docs/srtp.md). libsrtp2 links only into this benchmark
// and the unit tests, never into medrtc.
#include <benchmark/benchmark.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <vector>

#include "srtp/srtp_profile.hpp"

namespace {

using medrtc::srtp::SrtpProfile;
using medrtc::srtp::srtpProfileSpec;

constexpr size_t kRtpLength = 1200;

void setPolicy(SrtpProfile profile, srtp_crypto_policy_t* policy) {
  if (profile == SrtpProfile::kAes128CmSha1_80) {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(policy);
  } else if (profile == SrtpProfile::kAeadAes256Gcm) {
    srtp_crypto_policy_set_aes_gcm_256_16_auth(policy);
  } else {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(policy);
  }
}

srtp_t makeSession(SrtpProfile profile, bool inbound) {
  static const bool initialised = srtp_init() == srtp_err_status_ok;
  if (!initialised) {
    return nullptr;
  }
  std::vector<uint8_t> key(srtpProfileSpec(profile).keySaltLength());
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<uint8_t>(i * 7 + 1);
  }
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  setPolicy(profile, &policy.rtp);
  setPolicy(profile, &policy.rtcp);
  policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.key = key.data();
  policy.window_size = 1024;
  policy.allow_repeat_tx = inbound ? 0 : 1;
  srtp_t session = nullptr;
  return srtp_create(&session, &policy) == srtp_err_status_ok ? session : nullptr;
}

void writeRtpHeader(uint8_t* p, uint16_t seq) {
  p[0] = 0x80;
  p[1] = 96;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  std::memset(p + 4, 0, 4);
  p[8] = 0x12;
  p[9] = 0x34;
  p[10] = 0x56;
  p[11] = 0x78;
}

void BM_LibSrtpProtect(benchmark::State& state, SrtpProfile profile) {
  srtp_t session = makeSession(profile, false);
  if (session == nullptr) {
    state.SkipWithError("libsrtp create failed");
    return;
  }
  std::vector<uint8_t> buffer(kRtpLength + SRTP_MAX_TRAILER_LEN, 0xab);
  uint16_t seq = 0;
  for (auto _ : state) {
    writeRtpHeader(buffer.data(), seq++);
    int length = static_cast<int>(kRtpLength);
    benchmark::DoNotOptimize(srtp_protect(session, buffer.data(), &length));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kRtpLength);
  srtp_dealloc(session);
}

void BM_LibSrtpUnprotect(benchmark::State& state, SrtpProfile profile) {
  srtp_t sender = makeSession(profile, false);
  srtp_t receiver = makeSession(profile, true);
  if (sender == nullptr || receiver == nullptr) {
    state.SkipWithError("libsrtp create failed");
    return;
  }
  constexpr size_t kRing = 4096;
  std::vector<std::vector<uint8_t>> wire(kRing, std::vector<uint8_t>(kRtpLength + SRTP_MAX_TRAILER_LEN));
  std::vector<int> wireLength(kRing);
  std::vector<uint8_t> scratch(kRtpLength + SRTP_MAX_TRAILER_LEN);
  uint16_t seq = 0;
  auto refill = [&] {
    for (size_t i = 0; i < kRing; ++i) {
      std::memset(wire[i].data(), 0xab, wire[i].size());
      writeRtpHeader(wire[i].data(), seq++);
      wireLength[i] = static_cast<int>(kRtpLength);
      srtp_protect(sender, wire[i].data(), &wireLength[i]);
    }
  };
  refill();
  size_t next = 0;
  for (auto _ : state) {
    if (next == kRing) {
      state.PauseTiming();
      refill();
      next = 0;
      state.ResumeTiming();
    }
    std::memcpy(scratch.data(), wire[next].data(), static_cast<size_t>(wireLength[next]));
    int length = wireLength[next];
    if (srtp_unprotect(receiver, scratch.data(), &length) != srtp_err_status_ok) {
      state.SkipWithError("libsrtp unprotect failed");
      break;
    }
    ++next;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kRtpLength);
  srtp_dealloc(sender);
  srtp_dealloc(receiver);
}

BENCHMARK_CAPTURE(BM_LibSrtpProtect, AeadAes128Gcm, SrtpProfile::kAeadAes128Gcm);
BENCHMARK_CAPTURE(BM_LibSrtpProtect, Aes128CmSha1_80, SrtpProfile::kAes128CmSha1_80);
BENCHMARK_CAPTURE(BM_LibSrtpUnprotect, AeadAes128Gcm, SrtpProfile::kAeadAes128Gcm);
BENCHMARK_CAPTURE(BM_LibSrtpUnprotect, Aes128CmSha1_80, SrtpProfile::kAes128CmSha1_80);

}  // namespace
