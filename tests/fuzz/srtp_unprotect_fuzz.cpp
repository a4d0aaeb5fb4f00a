// libFuzzer target for SRTP/SRTCP unprotect (src/srtp/): the first byte picks the profile
// and what to do with the rest.
//   mode 0/1: unprotect the bytes as SRTP / SRTCP (forged input: must fail cleanly).
//   mode 2/3: protect the bytes as RTP / RTCP with the matching outbound session, then
//             unprotect: what comes back must be the input, and the only allowed failures
//             are replays (sender and receiver see the same indices, so their ROC guesses
//             agree and a genuine packet never fails authentication).
// Sessions live across inputs, so ROC, replay windows and the SSRC table are exercised too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "srtp/srtp_session.hpp"

using namespace medrtc;
using namespace medrtc::srtp;

namespace {

constexpr SrtpProfile kProfiles[] = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAeadAes256Gcm,
                                     SrtpProfile::kAes128CmSha1_80};

struct Pair {
  std::unique_ptr<SrtpSession> out;
  std::unique_ptr<SrtpSession> in;
};

Pair& pairFor(size_t profileIndex) {
  static Pair pairs[3];
  Pair& pair = pairs[profileIndex];
  if (!pair.out) {
    SrtpProfile profile = kProfiles[profileIndex];
    std::vector<uint8_t> key(srtpProfileSpec(profile).keySaltLength());
    for (size_t i = 0; i < key.size(); ++i) {
      key[i] = static_cast<uint8_t>(i * 37 + 11);
    }
    pair.out = std::move(SrtpSession::create(SrtpDirection::kOutbound, profile, key)).value();
    pair.in = std::move(SrtpSession::create(SrtpDirection::kInbound, profile, key)).value();
  }
  return pair;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) {
    return 0;
  }
  const size_t profileIndex = data[0] % 3;
  const int mode = (data[0] >> 2) & 3;
  Pair& pair = pairFor(profileIndex);
  // Exactly sized heap copy so ASan sees any read or write past the packet.
  const size_t length = size - 1;
  std::vector<uint8_t> packet(data + 1, data + size);
  switch (mode) {
    case 0:
      (void)pair.in->unprotectRtp(packet.data(), length);
      return 0;
    case 1:
      (void)pair.in->unprotectRtcp(packet.data(), length);
      return 0;
    default:
      break;
  }
  const bool rtcp = mode == 3;
  packet.resize(length + (rtcp ? kSrtpMaxRtcpTrailer : kSrtpMaxRtpTrailer));
  auto protectedLength = rtcp ? pair.out->protectRtcp(packet.data(), length, packet.size())
                              : pair.out->protectRtp(packet.data(), length, packet.size());
  if (!protectedLength.ok()) {
    return 0;  // too short or a header that does not fit: refused before any crypto
  }
  packet.resize(*protectedLength);
  auto plainLength =
      rtcp ? pair.in->unprotectRtcp(packet.data(), packet.size()) : pair.in->unprotectRtp(packet.data(), packet.size());
  if (!plainLength.ok()) {
    if (plainLength.error() != SrtpError::kReplay && plainLength.error() != SrtpError::kReplayTooOld) {
      std::abort();  // a packet we protected did not unprotect
    }
    return 0;
  }
  if (*plainLength != length || std::memcmp(packet.data(), data + 1, length) != 0) {
    std::abort();
  }
  return 0;
}
