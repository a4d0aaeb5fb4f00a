// ns per SRTP protect / unprotect of a 1,200-byte RTP packet (a typical video packet
// under the 1,200-byte MTU budget), for the DTLS-SRTP profiles; libsrtp_bench.cpp runs the
// same through libsrtp2 for the ratio. DESIGN.md §3 prefers GCM
// because it is cheaper per packet; this benchmark is where that claim is checked.
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <vector>

#include "srtp/srtp_session.hpp"

namespace {

using medrtc::srtp::kSrtpMaxRtpTrailer;
using medrtc::srtp::SrtpDirection;
using medrtc::srtp::SrtpProfile;
using medrtc::srtp::srtpProfileSpec;
using medrtc::srtp::SrtpSession;

constexpr size_t kRtpLength = 1200;

std::vector<uint8_t> testKey(SrtpProfile profile) {
  std::vector<uint8_t> key(srtpProfileSpec(profile).keySaltLength());
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<uint8_t>(i * 7 + 1);
  }
  return key;
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

void BM_SrtpProtect(benchmark::State& state, SrtpProfile profile) {
  auto session = SrtpSession::create(SrtpDirection::kOutbound, profile, testKey(profile));
  if (!session.ok()) {
    state.SkipWithError("create failed");
    return;
  }
  std::vector<uint8_t> buffer(kRtpLength + kSrtpMaxRtpTrailer, 0xab);
  uint16_t seq = 0;
  for (auto _ : state) {
    writeRtpHeader(buffer.data(), seq++);
    auto r = (*session)->protectRtp(buffer.data(), kRtpLength, buffer.size());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kRtpLength);
}

void BM_SrtpUnprotect(benchmark::State& state, SrtpProfile profile) {
  auto key = testKey(profile);
  auto sender = SrtpSession::create(SrtpDirection::kOutbound, profile, key);
  auto receiver = SrtpSession::create(SrtpDirection::kInbound, profile, key);
  if (!sender.ok() || !receiver.ok()) {
    state.SkipWithError("create failed");
    return;
  }
  // Pre-protect a ring of packets with consecutive sequence numbers so each unprotect is
  // a fresh index (a replayed one would be rejected before decryption); the ring is
  // re-protected, outside the timing, when it runs out.
  constexpr size_t kRing = 4096;
  std::vector<std::vector<uint8_t>> wire(kRing, std::vector<uint8_t>(kRtpLength + kSrtpMaxRtpTrailer));
  std::vector<size_t> wireLength(kRing);
  std::vector<uint8_t> scratch(kRtpLength + kSrtpMaxRtpTrailer);
  uint16_t seq = 0;
  auto refill = [&] {
    for (size_t i = 0; i < kRing; ++i) {
      std::memset(wire[i].data(), 0xab, wire[i].size());
      writeRtpHeader(wire[i].data(), seq++);
      wireLength[i] = (*sender)->protectRtp(wire[i].data(), kRtpLength, wire[i].size()).value();
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
    std::memcpy(scratch.data(), wire[next].data(), wireLength[next]);
    auto r = (*receiver)->unprotectRtp(scratch.data(), wireLength[next]);
    if (!r.ok()) {
      state.SkipWithError("unprotect failed");
      break;
    }
    ++next;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kRtpLength);
}

// BM_SrtpProtectAmongSessions/K: protect on one session while K-1 other sessions (each
// with its own keys, as every transport of a worker has) stay alive. A crypto backend
// whose per-packet work depends on how many keys exist shows it here: with libsrtp over
// NSS set up for space, ns/packet grew with K (hash chains in NSS's softoken); ours keys
// its own EVP contexts per session, and a flat line is what one worker with hundreds of
// transports needs.
void BM_SrtpProtectAmongSessions(benchmark::State& state) {
  const auto profile = SrtpProfile::kAeadAes128Gcm;
  std::vector<std::unique_ptr<SrtpSession>> sessions;
  for (int64_t i = 0; i < state.range(0); ++i) {
    auto key = testKey(profile);
    key[0] = static_cast<uint8_t>(i);
    key[1] = static_cast<uint8_t>(i >> 8);
    auto session = SrtpSession::create(SrtpDirection::kOutbound, profile, key);
    if (!session.ok()) {
      state.SkipWithError("create failed");
      return;
    }
    sessions.push_back(std::move(session).value());
  }
  std::vector<uint8_t> buffer(kRtpLength + kSrtpMaxRtpTrailer, 0xab);
  uint16_t seq = 0;
  for (auto _ : state) {
    writeRtpHeader(buffer.data(), seq++);
    auto r = sessions.back()->protectRtp(buffer.data(), kRtpLength, buffer.size());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SrtpProtectAmongSessions)->Arg(1)->Arg(160)->Arg(640);

BENCHMARK_CAPTURE(BM_SrtpProtect, AeadAes128Gcm, SrtpProfile::kAeadAes128Gcm);
BENCHMARK_CAPTURE(BM_SrtpProtect, Aes128CmSha1_80, SrtpProfile::kAes128CmSha1_80);
BENCHMARK_CAPTURE(BM_SrtpUnprotect, AeadAes128Gcm, SrtpProfile::kAeadAes128Gcm);
BENCHMARK_CAPTURE(BM_SrtpUnprotect, Aes128CmSha1_80, SrtpProfile::kAes128CmSha1_80);
BENCHMARK_CAPTURE(BM_SrtpProtect, AeadAes256Gcm, SrtpProfile::kAeadAes256Gcm);

}  // namespace
