#include "sdp/sdp_error.hpp"

namespace medrtc::sdp {

std::string_view toString(SdpError error) {
  switch (error) {
    case SdpError::kTooLarge: return "too_large";
    case SdpError::kTooManyLines: return "too_many_lines";
    case SdpError::kMissingVersion: return "missing_version";
    case SdpError::kMalformedLine: return "malformed_line";
    case SdpError::kMissingOrigin: return "missing_origin";
    case SdpError::kMissingSessionName: return "missing_session_name";
    case SdpError::kInvalidOrigin: return "invalid_origin";
    case SdpError::kInvalidConnection: return "invalid_connection";
    case SdpError::kInvalidMediaLine: return "invalid_media_line";
    case SdpError::kInvalidPort: return "invalid_port";
    case SdpError::kInvalidPayloadType: return "invalid_payload_type";
    case SdpError::kInvalidRtpmap: return "invalid_rtpmap";
    case SdpError::kInvalidFmtp: return "invalid_fmtp";
    case SdpError::kInvalidRtcpFb: return "invalid_rtcp_fb";
    case SdpError::kInvalidExtmap: return "invalid_extmap";
    case SdpError::kInvalidSsrc: return "invalid_ssrc";
    case SdpError::kInvalidSsrcGroup: return "invalid_ssrc_group";
    case SdpError::kInvalidCandidate: return "invalid_candidate";
    case SdpError::kInvalidFingerprint: return "invalid_fingerprint";
    case SdpError::kInvalidSetup: return "invalid_setup";
    case SdpError::kInvalidIceCredentials: return "invalid_ice_credentials";
    case SdpError::kInvalidGroup: return "invalid_group";
    case SdpError::kInvalidMid: return "invalid_mid";
    case SdpError::kDuplicateMid: return "duplicate_mid";
    case SdpError::kInvalidMsid: return "invalid_msid";
    case SdpError::kInvalidRid: return "invalid_rid";
    case SdpError::kInvalidSimulcast: return "invalid_simulcast";
    case SdpError::kInvalidSctp: return "invalid_sctp";
    case SdpError::kInvalidDirection: return "invalid_direction";
    case SdpError::kMissingIceCredentials: return "missing_ice_credentials";
    case SdpError::kMissingFingerprint: return "missing_fingerprint";
    case SdpError::kMissingRtcpMux: return "missing_rtcp_mux";
    case SdpError::kMissingMid: return "missing_mid";
    case SdpError::kMissingBundle: return "missing_bundle";
    case SdpError::kInconsistentTransport: return "inconsistent_transport";
    case SdpError::kUnsupportedSetup: return "unsupported_setup";
    case SdpError::kNoAcceptedMedia: return "no_accepted_media";
  }
  return "unknown";
}

}  // namespace medrtc::sdp
