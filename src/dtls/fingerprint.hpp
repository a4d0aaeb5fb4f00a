#pragma once
// Certificate fingerprints as SDP carries them: a=fingerprint:sha-256 AB:CD:...
// (RFC 8122 §5: hash function name, then uppercase hex bytes separated by colons).
#include <openssl/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"

namespace medrtc::dtls {

enum class FingerprintAlgorithm { kSha1, kSha224, kSha256, kSha384, kSha512 };

// "sha-256" (case-insensitive, RFC 8122 §5 hash-func names); nullopt for md2/md5/unknown.
std::optional<FingerprintAlgorithm> fingerprintAlgorithmFromName(std::string_view name);
std::string_view toString(FingerprintAlgorithm algorithm);  // "sha-256"
size_t digestLength(FingerprintAlgorithm algorithm);

struct Fingerprint {
  FingerprintAlgorithm algorithm;
  std::vector<uint8_t> digest;

  bool operator==(const Fingerprint&) const = default;
};

// Parses "AB:cd:..." for the algorithm; nullopt unless it is exactly digestLength pairs.
std::optional<Fingerprint> parseFingerprint(FingerprintAlgorithm algorithm, std::string_view value);
// "AB:CD:..." uppercase.
std::string formatFingerprint(ByteView digest);
// Digest of the certificate's DER encoding.
Fingerprint fingerprintOf(X509* certificate, FingerprintAlgorithm algorithm);
// The same from the DER bytes themselves (i2d_X509), for a certificate whose X509 is gone.
Fingerprint fingerprintOfDer(ByteView der, FingerprintAlgorithm algorithm);

}  // namespace medrtc::dtls
