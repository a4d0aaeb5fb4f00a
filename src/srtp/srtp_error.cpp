#include "srtp/srtp_error.hpp"

namespace medrtc::srtp {

std::string_view toString(SrtpError error) {
  switch (error) {
    case SrtpError::kAuthFailed:
      return "auth-failed";
    case SrtpError::kReplay:
      return "replay";
    case SrtpError::kReplayTooOld:
      return "replay-too-old";
    case SrtpError::kBadPacket:
      return "bad-packet";
    case SrtpError::kNoRoom:
      return "no-room";
    case SrtpError::kBadKeyLength:
      return "bad-key-length";
    case SrtpError::kWrongDirection:
      return "wrong-direction";
    case SrtpError::kKeyExpired:
      return "key-expired";
    case SrtpError::kCipherFailed:
      return "cipher-failed";
    case SrtpError::kInitFailed:
      return "init-failed";
    case SrtpError::kUnknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace medrtc::srtp
