#pragma once
// Our DTLS identity: a self-signed ECDSA P-256 certificate, as WebRTC uses (RFC 8827 §6.5:
// identity is the fingerprint in the signalled SDP, not a CA chain). One per process or
// worker; shared by every DtlsContext, hence shared_ptr.
#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "dtls/fingerprint.hpp"

namespace medrtc::dtls {

class Certificate {
 public:
  // CN "medrtc", random 64-bit serial, valid from now - 1 day (clock skew) for 30 days.
  // Throws std::runtime_error if OpenSSL cannot make one: a start-up failure.
  static std::shared_ptr<Certificate> generate();
  static std::shared_ptr<Certificate> generate(std::chrono::system_clock::time_point now);

  // "AB:CD:..." for SDP a=fingerprint:sha-256.
  std::string fingerprintSha256() const;
  Fingerprint fingerprint(FingerprintAlgorithm algorithm) const;

  X509* x509() const { return certificate_.get(); }
  EVP_PKEY* privateKey() const { return key_.get(); }

 private:
  struct X509Deleter {
    void operator()(X509* x) const;
  };
  struct KeyDeleter {
    void operator()(EVP_PKEY* k) const;
  };
  Certificate(std::unique_ptr<X509, X509Deleter> certificate, std::unique_ptr<EVP_PKEY, KeyDeleter> key)
      : certificate_(std::move(certificate)), key_(std::move(key)) {}

  std::unique_ptr<X509, X509Deleter> certificate_;
  std::unique_ptr<EVP_PKEY, KeyDeleter> key_;
};

}  // namespace medrtc::dtls
