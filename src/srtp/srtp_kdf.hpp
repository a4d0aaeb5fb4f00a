#pragma once
// SRTP key derivation (RFC 3711 §4.3) with key derivation rate 0, the only rate DTLS-SRTP
// uses (RFC 5764 §4.1.2): each session key is derived once, at key setup.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/bytes.hpp"
#include "srtp/srtp_profile.hpp"

namespace medrtc::srtp {

// RFC 3711 §4.3.2 labels.
enum class SrtpKdfLabel : uint8_t {
  kRtpEncryption = 0x00,
  kRtpAuthentication = 0x01,
  kRtpSalt = 0x02,
  kRtcpEncryption = 0x03,
  kRtcpAuthentication = 0x04,
  kRtcpSalt = 0x05,
};

inline constexpr size_t kSrtpAuthKeyLength = 20;  // HMAC-SHA1 key, RFC 3711 §8.2 (n_a = 160)

// The session keys for one direction (RTP and RTCP), as the transforms use them.
struct SrtpSessionKeys {
  SrtpProfile profile{};
  std::array<uint8_t, kSrtpMaxMasterKeyLength> rtpKey{};
  std::array<uint8_t, kSrtpMaxMasterSaltLength> rtpSalt{};
  std::array<uint8_t, kSrtpAuthKeyLength> rtpAuthKey{};  // AES-CM profiles only
  std::array<uint8_t, kSrtpMaxMasterKeyLength> rtcpKey{};
  std::array<uint8_t, kSrtpMaxMasterSaltLength> rtcpSalt{};
  std::array<uint8_t, kSrtpAuthKeyLength> rtcpAuthKey{};

  SrtpSessionKeys() = default;
  SrtpSessionKeys(const SrtpSessionKeys&) = default;
  SrtpSessionKeys& operator=(const SrtpSessionKeys&) = default;
  ~SrtpSessionKeys();  // wipes the keys
};

// One PRF output (RFC 3711 §4.3.1, §4.3.3): AES-CM keyed with the master key (AES-128 or
// AES-256 by its length), IV = (master salt XOR label << 48) << 16, keystream of out.size()
// bytes. The master salt is 14 bytes (AES-CM profiles) or 12 (AEAD, RFC 7714 §11, where it
// is used as the first 12 bytes of the 14). False when OpenSSL fails or sizes are wrong.
bool srtpPrf(ByteView masterKey, ByteView masterSalt, SrtpKdfLabel label, MutableByteView out);

// All session keys of a profile from master key || master salt (RFC 5764 §4.2 order).
std::optional<SrtpSessionKeys> deriveSrtpSessionKeys(SrtpProfile profile, ByteView keyAndSalt);

}  // namespace medrtc::srtp
