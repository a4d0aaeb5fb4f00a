#pragma once
// The server side of TLS for the HTTP/WebSocket listener. The Asio SSL context is built
// here once at start; signaling/server.cpp only wraps accepted sockets in it.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace medrtc::tls {

struct TlsSettings {
  std::filesystem::path certFile;  // PEM chain, leaf first
  std::filesystem::path keyFile;   // PEM private key
  std::string minVersion = "1.2";  // "1.2" | "1.3" (policy encryption.min_tls_version)
};

// Loads certificate and key (checking they match) and sets the minimum protocol version
// with SSL_CTX_set_min_proto_version: older ClientHellos fail the handshake with a
// protocol_version alert (RFC 8446 §6.2). SSLv2/3, TLS 1.0/1.1 are never offered
// (RFC 8996). TLS 1.2 offers only ECDHE suites with AES-GCM or ChaCha20-Poly1305
// (docs/security.md "Transport"). Session tickets stay on, compression off.
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> makeServerContext(const TlsSettings& settings);

// True for "1.2" and "1.3".
bool isTlsVersion(const std::string& version);

struct SelfSignedCertificate {
  std::filesystem::path certFile;
  std::filesystem::path keyFile;
  std::string sha256Fingerprint;  // "AB:CD:…", to compare with what a browser shows
  bool created = false;           // false: an existing pair in the directory was reused
};

// For a first run on a LAN: <dir>/tls/self-signed.{crt,key} (key 0600), ECDSA P-256,
// valid 365 days, subjectAltName = localhost, 127.0.0.1, ::1 and `extraNames` (IP
// addresses become iPAddress entries, anything else dNSName). Reused while it exists and
// still covers every name; regenerated otherwise.
Result<SelfSignedCertificate, std::string> ensureSelfSigned(const std::filesystem::path& dir,
                                                            const std::vector<std::string>& extraNames);

// SHA-256 fingerprint of the first certificate in a PEM file, "AB:CD:…".
Result<std::string, std::string> certificateFingerprint(const std::filesystem::path& certFile);

}  // namespace medrtc::tls
