#pragma once
// Every way a DTLS association can fail, named.
#include <string_view>

namespace medrtc::dtls {

enum class DtlsError {
  kHandshakeFailed,                  // Local OpenSSL error during the handshake.
  kAlertReceived,                    // The peer sent a fatal alert (RFC 5246 §7.2).
  kFingerprintMismatch,              // Peer certificate != a=fingerprint (RFC 8122 §5).
  kNoPeerCertificate,                // Handshake ended without a peer certificate.
  kNoSrtpProfile,                    // No common use_srtp profile (RFC 5764 §4.1.2).
  kKeyExportFailed,                  // The RFC 5705 exporter failed.
  kTimeout,                          // Retransmissions exhausted (RFC 6347 §4.2.4).
  kUnsupportedFingerprintAlgorithm,  // setRemoteFingerprint with e.g. "md5".
  kBadFingerprint,                   // Fingerprint value not "XX:XX:..." of the right length.
  kNotConnected,                     // sendApplicationData before connect or after close.
  kSendFailed,                       // SSL_write failed.
};

std::string_view toString(DtlsError error);

}  // namespace medrtc::dtls
