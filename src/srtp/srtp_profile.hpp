#pragma once
// The DTLS-SRTP protection profiles WebRTC uses, written as data (like Pion's
// protection_profile.go): key/salt sizes and trailer sizes follow from the profile.
#include <cstddef>
#include <optional>
#include <string_view>

namespace medrtc::srtp {

enum class SrtpProfile {
  kAeadAes128Gcm,    // RFC 7714 §14.2, preferred: one AES-GCM pass, no HMAC.
  kAeadAes256Gcm,    // RFC 7714 §14.2, for peers that insist on 256-bit keys.
  kAes128CmSha1_80,  // RFC 5764 §4.1.2, for clients without GCM.
};

struct SrtpProfileSpec {
  SrtpProfile profile;
  // SRTPProtectionProfile value in the use_srtp extension (RFC 5764 §4.1.2, RFC 7714 §14.2);
  // OpenSSL's SRTP_PROTECTION_PROFILE::id carries the same number.
  unsigned long protectionProfileId;
  // OpenSSL's name, as used in SSL_CTX_set_tlsext_use_srtp.
  std::string_view openSslName;
  size_t masterKeyLength;
  size_t masterSaltLength;
  // Bytes protectRtp appends to an RTP packet: the authentication tag
  // (RFC 3711 §4.2: 80-bit HMAC-SHA1 tag; RFC 7714 §7.2: 16-byte GCM tag).
  size_t rtpTrailerLength;
  // Bytes protectRtcp appends: E flag + 31-bit SRTCP index (RFC 3711 §3.4) and the tag.
  size_t rtcpTrailerLength;

  size_t keySaltLength() const { return masterKeyLength + masterSaltLength; }
};

inline constexpr SrtpProfileSpec kSrtpProfileSpecs[] = {
    {SrtpProfile::kAeadAes128Gcm, 0x0007, "SRTP_AEAD_AES_128_GCM", 16, 12, 16, 4 + 16},
    {SrtpProfile::kAeadAes256Gcm, 0x0008, "SRTP_AEAD_AES_256_GCM", 32, 12, 16, 4 + 16},
    {SrtpProfile::kAes128CmSha1_80, 0x0001, "SRTP_AES128_CM_SHA1_80", 16, 14, 10, 4 + 10},
};

// Room a caller must leave after any RTP packet passed to SrtpSession::protectRtp, for
// every profile (max of rtpTrailerLength). MKI is never used, so it is not counted.
inline constexpr size_t kSrtpMaxRtpTrailer = 16;
// Same for protectRtcp: SRTCP index + GCM tag. Note this is larger than the RTP trailer.
inline constexpr size_t kSrtpMaxRtcpTrailer = 20;
// Largest master key (AES-256) and master salt (112 bits, RFC 3711 §8.2) of any profile.
inline constexpr size_t kSrtpMaxMasterKeyLength = 32;
inline constexpr size_t kSrtpMaxMasterSaltLength = 14;

const SrtpProfileSpec& srtpProfileSpec(SrtpProfile profile);
std::optional<SrtpProfile> srtpProfileFromOpenSsl(unsigned long protectionProfileId);
std::optional<SrtpProfile> srtpProfileFromName(std::string_view openSslName);
std::string_view toString(SrtpProfile profile);

}  // namespace medrtc::srtp
