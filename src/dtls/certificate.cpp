#include "dtls/certificate.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace medrtc::dtls {
namespace {

constexpr long kValidityDays = 30;

void check(bool ok, const char* what) {
  if (!ok) {
    throw std::runtime_error(std::string("DTLS certificate generation failed: ") + what);
  }
}

}  // namespace

void Certificate::X509Deleter::operator()(X509* x) const { X509_free(x); }
void Certificate::KeyDeleter::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

std::shared_ptr<Certificate> Certificate::generate() { return generate(std::chrono::system_clock::now()); }

std::shared_ptr<Certificate> Certificate::generate(std::chrono::system_clock::time_point now) {
  // ECDSA P-256: what browsers generate for RTCCertificate by default, and the cheapest
  // signature for the per-handshake CertificateVerify / ServerKeyExchange.
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key");

  std::unique_ptr<X509, X509Deleter> x509(X509_new());
  check(x509 != nullptr, "X509_new");
  check(X509_set_version(x509.get(), X509_VERSION_3) == 1, "version");

  // A random serial keeps certificates from successive runs distinguishable (RFC 5280
  // §4.1.2.2 wants serials unique per issuer). 64 bits with the top bit set: positive, non-zero.
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), &BN_free);
  check(serial && BN_rand(serial.get(), 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1, "serial");
  check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x509.get())) != nullptr, "serial");

  // Backdated a day so a peer whose clock runs behind still sees a valid certificate.
  time_t t = std::chrono::system_clock::to_time_t(now);
  check(X509_time_adj_ex(X509_getm_notBefore(x509.get()), -1, 0, &t) != nullptr, "notBefore");
  check(X509_time_adj_ex(X509_getm_notAfter(x509.get()), static_cast<int>(kValidityDays), 0, &t) != nullptr,
        "notAfter");

  X509_NAME* name = X509_get_subject_name(x509.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("medrtc"), -1,
                                   -1, 0) == 1,
        "subject");
  check(X509_set_issuer_name(x509.get(), name) == 1, "issuer");  // self-signed
  check(X509_set_pubkey(x509.get(), key.get()) == 1, "public key");
  check(X509_sign(x509.get(), key.get(), EVP_sha256()) > 0, "sign");

  return std::shared_ptr<Certificate>(new Certificate(std::move(x509), std::move(key)));
}

std::string Certificate::fingerprintSha256() const {
  return formatFingerprint(fingerprint(FingerprintAlgorithm::kSha256).digest);
}

Fingerprint Certificate::fingerprint(FingerprintAlgorithm algorithm) const {
  return fingerprintOf(certificate_.get(), algorithm);
}

}  // namespace medrtc::dtls
