#include "client/client_error.hpp"

namespace medrtc::client {

std::string_view toString(ClientError error) {
  switch (error) {
    case ClientError::kSdpParseFailed:
      return "sdp_parse_failed";
    case ClientError::kNoMedia:
      return "no_media";
    case ClientError::kMissingIceCredentials:
      return "missing_ice_credentials";
    case ClientError::kMissingFingerprint:
      return "missing_fingerprint";
    case ClientError::kNoCandidate:
      return "no_candidate";
    case ClientError::kUnsupportedSetup:
      return "unsupported_setup";
    case ClientError::kWrongState:
      return "wrong_state";
    case ClientError::kSocketFailed:
      return "socket_failed";
  }
  return "unknown";
}

}  // namespace medrtc::client
