#pragma once
// DTLS-SRTP keys (RFC 5764 §4.2), already oriented for our role: "local" keys protect
// what we send, "remote" keys unprotect what the peer sends.
#include <cstdint>
#include <vector>

#include "common/bytes.hpp"
#include "dtls/dtls_role.hpp"
#include "srtp/srtp_profile.hpp"

namespace medrtc::dtls {

inline constexpr char kSrtpExporterLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 §4.2

struct SrtpKeyMaterial {
  srtp::SrtpProfile profile;
  std::vector<uint8_t> localKeySalt;   // master key || master salt for our outbound SrtpSession
  std::vector<uint8_t> remoteKeySalt;  // for our inbound SrtpSession
};

// Bytes to request from the exporter: two keys and two salts.
size_t srtpExporterLength(srtp::SrtpProfile profile);

// RFC 5764 §4.2: the exporter output is
//   client_write_SRTP_master_key | server_write_SRTP_master_key |
//   client_write_SRTP_master_salt | server_write_SRTP_master_salt.
// The client's write keys are its local keys. exported.size() must be srtpExporterLength.
SrtpKeyMaterial splitSrtpKeyingMaterial(srtp::SrtpProfile profile, DtlsRole role, ByteView exported);

}  // namespace medrtc::dtls
