#include "dtls/dtls_error.hpp"

namespace medrtc::dtls {

std::string_view toString(DtlsError error) {
  switch (error) {
    case DtlsError::kHandshakeFailed:
      return "handshake-failed";
    case DtlsError::kAlertReceived:
      return "alert-received";
    case DtlsError::kFingerprintMismatch:
      return "fingerprint-mismatch";
    case DtlsError::kNoPeerCertificate:
      return "no-peer-certificate";
    case DtlsError::kNoSrtpProfile:
      return "no-srtp-profile";
    case DtlsError::kKeyExportFailed:
      return "key-export-failed";
    case DtlsError::kTimeout:
      return "timeout";
    case DtlsError::kUnsupportedFingerprintAlgorithm:
      return "unsupported-fingerprint-algorithm";
    case DtlsError::kBadFingerprint:
      return "bad-fingerprint";
    case DtlsError::kNotConnected:
      return "not-connected";
    case DtlsError::kSendFailed:
      return "send-failed";
  }
  return "unknown";
}

}  // namespace medrtc::dtls
