#include "tls/tls_context.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace medrtc::tls {

namespace ssl = boost::asio::ssl;

namespace {

constexpr int kSelfSignedDays = 365;
// TLS 1.2: ECDHE with AES-GCM or ChaCha20-Poly1305, strongest first (OpenSSL names).
constexpr const char* kTls12CipherSuites =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
// TLS 1.3 suites are all AEAD (RFC 8446 §9.1); named so that no build default adds CCM_8.
constexpr const char* kTls13CipherSuites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
// A reused self-signed certificate must stay valid at least this long.
constexpr long kRenewBeforeSeconds = 30L * 24 * 3600;

std::string opensslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) {
    return "unknown OpenSSL error";
  }
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

X509Ptr readCertificate(const std::filesystem::path& file) {
  FilePtr f(std::fopen(file.c_str(), "r"));
  if (!f) {
    return nullptr;
  }
  return X509Ptr(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
}

std::string fingerprintOf(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, i + 1 < len ? "%02X:" : "%02X", md[i]);
    out += hex;
  }
  return out;
}

bool isIpAddress(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += n + "\n";
  }
  return out;
}

std::string readText(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<Ok, std::string> writeSelfSigned(const std::filesystem::path& certFile, const std::filesystem::path& keyFile,
                                        const std::vector<std::string>& names) {
  // ECDSA P-256: accepted by every browser, and small.
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return fail("cannot generate a key: " + opensslError());
  }
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);  // v3, needed for subjectAltName
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) {
    return fail("no randomness for the serial number: " + opensslError());
  }
  serial[0] &= 0x7f;  // positive (RFC 5280 §4.1.2.2)
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * kSelfSignedDays);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("medrtc self-signed"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);

  // Browsers match names against subjectAltName only (RFC 6125 §6.4.4).
  std::string san;
  for (const auto& n : names) {
    san += (san.empty() ? "" : ",") + std::string(isIpAddress(n) ? "IP:" : "DNS:") + n;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san},
                            {NID_basic_constraints, "critical,CA:FALSE"},
                            {NID_key_usage, "critical,digitalSignature"},
                            {NID_ext_key_usage, "serverAuth"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) {
      return fail("cannot build certificate extension " + value + ": " + opensslError());
    }
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return fail("cannot sign the certificate: " + opensslError());
  }

  // The key is written 0600 from the start (umask-independent: open with O_EXCL mode).
  std::filesystem::remove(keyFile);
  FilePtr kf(std::fopen(keyFile.c_str(), "wx"));
  if (!kf) {
    return fail("cannot write " + keyFile.string());
  }
  ::chmod(keyFile.c_str(), 0600);
  if (PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return fail("cannot write " + keyFile.string() + ": " + opensslError());
  }
  FilePtr cf(std::fopen(certFile.c_str(), "w"));
  if (!cf || PEM_write_X509(cf.get(), cert.get()) != 1) {
    return fail("cannot write " + certFile.string());
  }
  return Ok{};
}

}  // namespace

bool isTlsVersion(const std::string& version) { return version == "1.2" || version == "1.3"; }

Result<std::shared_ptr<ssl::context>, std::string> makeServerContext(const TlsSettings& settings) {
  if (!isTlsVersion(settings.minVersion)) {
    return fail("minimum TLS version must be 1.2 or 1.3, not \"" + settings.minVersion + "\"");
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  int minVersion = settings.minVersion == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(native, minVersion) != 1) {
    return fail("cannot set the minimum TLS version: " + opensslError());
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  // BSI TR-02102-2 §3.3.1 and RFC 9325 §4.2: forward secrecy and AEAD only; no CBC
  // (Lucky13 and friends), no SHA-1 MACs, no static RSA or finite-field DHE.
  if (SSL_CTX_set_cipher_list(native, kTls12CipherSuites) != 1 ||
      SSL_CTX_set_ciphersuites(native, kTls13CipherSuites) != 1) {
    return fail("cannot set the TLS cipher suites: " + opensslError());
  }
  if (SSL_CTX_use_certificate_chain_file(native, settings.certFile.c_str()) != 1) {
    return fail("cannot load TLS certificate " + settings.certFile.string() + ": " + opensslError());
  }
  if (SSL_CTX_use_PrivateKey_file(native, settings.keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL also checks the pair here (X509_R_KEY_VALUES_MISMATCH).
    return fail("cannot load TLS key " + settings.keyFile.string() + ", or it does not match certificate " +
                settings.certFile.string() + ": " + opensslError());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return fail("TLS key " + settings.keyFile.string() + " does not match certificate " + settings.certFile.string());
  }
  return ctx;
}

Result<std::string, std::string> certificateFingerprint(const std::filesystem::path& certFile) {
  X509Ptr cert = readCertificate(certFile);
  if (!cert) {
    return fail("cannot read certificate " + certFile.string());
  }
  return fingerprintOf(cert.get());
}

Result<SelfSignedCertificate, std::string> ensureSelfSigned(const std::filesystem::path& dir,
                                                            const std::vector<std::string>& extraNames) {
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  for (const auto& n : extraNames) {
    if (!n.empty() && n != "0.0.0.0" && n != "::" && std::find(names.begin(), names.end(), n) == names.end()) {
      names.push_back(n);
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(dir / "tls", ec);
  if (ec) {
    return fail("cannot create " + (dir / "tls").string() + ": " + ec.message());
  }
  SelfSignedCertificate out;
  out.certFile = dir / "tls" / "self-signed.crt";
  out.keyFile = dir / "tls" / "self-signed.key";
  auto namesFile = dir / "tls" / "self-signed.names";

  bool reuse = false;
  if (std::filesystem::exists(out.keyFile) && readText(namesFile) == joinNames(names)) {
    if (X509Ptr cert = readCertificate(out.certFile)) {
      time_t renewAt = time(nullptr) + kRenewBeforeSeconds;
      reuse = X509_cmp_time(X509_get0_notAfter(cert.get()), &renewAt) > 0;
    }
  }
  if (!reuse) {
    auto written = writeSelfSigned(out.certFile, out.keyFile, names);
    if (!written) {
      return fail(written.error());
    }
    std::ofstream(namesFile) << joinNames(names);
    out.created = true;
  }
  auto fp = certificateFingerprint(out.certFile);
  if (!fp) {
    return fail(fp.error());
  }
  out.sha256Fingerprint = *fp;
  return out;
}

}  // namespace medrtc::tls
