#include "dtls/fingerprint.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <cstdlib>

#include "common/hex.hpp"

namespace medrtc::dtls {
namespace {

struct AlgorithmRow {
  FingerprintAlgorithm algorithm;
  std::string_view name;
  size_t length;
};

constexpr std::array<AlgorithmRow, 5> kAlgorithms{{
    {FingerprintAlgorithm::kSha1, "sha-1", 20},
    {FingerprintAlgorithm::kSha224, "sha-224", 28},
    {FingerprintAlgorithm::kSha256, "sha-256", 32},
    {FingerprintAlgorithm::kSha384, "sha-384", 48},
    {FingerprintAlgorithm::kSha512, "sha-512", 64},
}};

const AlgorithmRow& rowOf(FingerprintAlgorithm algorithm) {
  for (const auto& row : kAlgorithms) {
    if (row.algorithm == algorithm) {
      return row;
    }
  }
  std::abort();  // Can't happen: every enumerator has a row.
}

const EVP_MD* mdOf(FingerprintAlgorithm algorithm) {
  switch (algorithm) {
    case FingerprintAlgorithm::kSha1:
      return EVP_sha1();
    case FingerprintAlgorithm::kSha224:
      return EVP_sha224();
    case FingerprintAlgorithm::kSha256:
      return EVP_sha256();
    case FingerprintAlgorithm::kSha384:
      return EVP_sha384();
    case FingerprintAlgorithm::kSha512:
      return EVP_sha512();
  }
  std::abort();
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] | 0x20) : a[i];
    if (x != b[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<FingerprintAlgorithm> fingerprintAlgorithmFromName(std::string_view name) {
  for (const auto& row : kAlgorithms) {
    if (equalsIgnoreCase(name, row.name)) {  // RFC 8122 §5: names are case-insensitive
      return row.algorithm;
    }
  }
  return std::nullopt;
}

std::string_view toString(FingerprintAlgorithm algorithm) { return rowOf(algorithm).name; }

size_t digestLength(FingerprintAlgorithm algorithm) { return rowOf(algorithm).length; }

std::optional<Fingerprint> parseFingerprint(FingerprintAlgorithm algorithm, std::string_view value) {
  const size_t length = digestLength(algorithm);
  if (value.size() != length * 3 - 1) {
    return std::nullopt;
  }
  Fingerprint fp{algorithm, {}};
  fp.digest.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    int hi = hexValue(value[i * 3]);
    int lo = hexValue(value[i * 3 + 1]);
    if (hi < 0 || lo < 0 || (i + 1 < length && value[i * 3 + 2] != ':')) {
      return std::nullopt;
    }
    fp.digest.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return fp;
}

std::string formatFingerprint(ByteView digest) {
  std::string out;
  out.reserve(digest.size() * 3);
  for (size_t i = 0; i < digest.size(); ++i) {
    if (i > 0) {
      out.push_back(':');
    }
    appendHex(out, digest[i], HexCase::kUpper);
  }
  return out;
}

Fingerprint fingerprintOf(X509* certificate, FingerprintAlgorithm algorithm) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  Fingerprint fp{algorithm, {}};
  if (X509_digest(certificate, mdOf(algorithm), md, &length) == 1) {
    fp.digest.assign(md, md + length);
  }
  return fp;
}

Fingerprint fingerprintOfDer(ByteView der, FingerprintAlgorithm algorithm) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  Fingerprint fp{algorithm, {}};
  if (EVP_Digest(der.data(), der.size(), md, &length, mdOf(algorithm), nullptr) == 1) {
    fp.digest.assign(md, md + length);
  }
  return fp;
}

}  // namespace medrtc::dtls
