#pragma once
// Every way an SRTP operation can fail, named (mapped from libsrtp's srtp_err_status_t).
#include <string_view>

namespace medrtc::srtp {

enum class SrtpError {
  kAuthFailed,      // Tag mismatch: tampered, wrong key, or not SRTP at all.
  kReplay,          // Index already seen inside the replay window (RFC 3711 §3.3.2).
  kReplayTooOld,    // Index older than the replay window.
  kBadPacket,       // Too short or malformed header.
  kNoRoom,          // Buffer capacity can't hold the trailer protect appends.
  kBadKeyLength,    // keyAndSalt length doesn't match the profile.
  kWrongDirection,  // protect on an inbound session or unprotect on an outbound one.
  kKeyExpired,      // Key usage limit reached (RFC 3711 §9.2): rekey needed.
  kCipherFailed,    // Crypto backend failure.
  kInitFailed,      // libsrtp could not initialise or create the session.
  kUnknown,         // Any other libsrtp status.
};

std::string_view toString(SrtpError error);

}  // namespace medrtc::srtp
