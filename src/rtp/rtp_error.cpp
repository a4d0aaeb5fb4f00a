#include "rtp/rtp_error.hpp"

namespace medrtc::rtp {

const char* toString(RtpError e) {
  switch (e) {
    case RtpError::kTooShort: return "rtp_too_short";
    case RtpError::kTooLong: return "rtp_too_long";
    case RtpError::kBadVersion: return "rtp_bad_version";
    case RtpError::kCsrcOverflow: return "rtp_csrc_overflow";
    case RtpError::kExtensionOverflow: return "rtp_extension_overflow";
    case RtpError::kBadPadding: return "rtp_bad_padding";
    case RtpError::kBufferTooSmall: return "rtp_buffer_too_small";
    case RtpError::kBadExtension: return "rtp_bad_extension";
  }
  return "rtp_unknown_error";
}

const char* toString(RtcpError e) {
  switch (e) {
    case RtcpError::kTooShort: return "rtcp_too_short";
    case RtcpError::kBadVersion: return "rtcp_bad_version";
    case RtcpError::kBadLength: return "rtcp_bad_length";
    case RtcpError::kBadPadding: return "rtcp_bad_padding";
    case RtcpError::kWrongType: return "rtcp_wrong_type";
    case RtcpError::kMalformed: return "rtcp_malformed";
  }
  return "rtcp_unknown_error";
}

}  // namespace medrtc::rtp
