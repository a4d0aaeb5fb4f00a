// What the HTTPS listener's TLS context offers (issue 10 item 12): in TLS 1.2 only ECDHE
// with AES-GCM or ChaCha20-Poly1305 (no CBC, no SHA-1 MAC, no static RSA, no DHE), for
// both ECDSA and RSA certificates; TLS 1.3 only its AEAD suites; the profile's minimum
// version. Each suite OpenSSL knows is tried alone in a handshake over memory BIOs.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "common/random.hpp"
#include "tls/tls_context.hpp"

namespace medrtc::tls {
namespace {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("medrtc-suites-" + randomHex(6))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// An RSA-2048 self-signed pair: the self-signed helper makes ECDSA only, and RSA is where
// static-RSA and DHE suites would show up.
void writeRsaPair(const std::filesystem::path& cert, const std::filesystem::path& key) {
  EVP_PKEY* pkey = EVP_RSA_gen(2048);
  ASSERT_NE(pkey, nullptr);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("rsa test"), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  ASSERT_GT(X509_sign(x, pkey, EVP_sha256()), 0);
  FILE* kf = std::fopen(key.c_str(), "w");
  PEM_write_PrivateKey(kf, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(kf);
  FILE* cf = std::fopen(cert.c_str(), "w");
  PEM_write_X509(cf, x);
  std::fclose(cf);
  X509_free(x);
  EVP_PKEY_free(pkey);
}

// A client that offers exactly `suite` at exactly `version`, at security level 0 so the
// client side itself refuses nothing: whatever fails, the server refused.
SSL_CTX* clientFor(int version, const std::string& suite) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  bool set = version == TLS1_3_VERSION ? SSL_CTX_set_ciphersuites(ctx, suite.c_str()) == 1
                                       : SSL_CTX_set_cipher_list(ctx, (suite + ":@SECLEVEL=0").c_str()) == 1;
  if (!set) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

// The suite both ends agreed on, or "" when the handshake failed.
std::string handshake(SSL_CTX* server, SSL_CTX* client) {
  SSL* s = SSL_new(server);
  SSL* c = SSL_new(client);
  BIO* sb = nullptr;
  BIO* cb = nullptr;
  BIO_new_bio_pair(&sb, 0, &cb, 0);
  SSL_set_bio(s, sb, sb);
  SSL_set_bio(c, cb, cb);
  SSL_set_accept_state(s);
  SSL_set_connect_state(c);
  std::string agreed;
  for (int round = 0; round < 20; ++round) {
    int rc = SSL_do_handshake(c);
    int rs = SSL_do_handshake(s);
    if (rc == 1 && rs == 1) {
      agreed = SSL_get_cipher_name(c);
      break;
    }
    auto stuck = [](SSL* ssl, int r) {
      int e = SSL_get_error(ssl, r);
      return r != 1 && e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
    };
    if (stuck(c, rc) || stuck(s, rs)) {
      break;
    }
  }
  SSL_free(c);
  SSL_free(s);
  ERR_clear_error();
  return agreed;
}

// Every TLS 1.2 suite this OpenSSL can speak at all.
std::vector<std::string> allTls12Suites() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
  SSL* ssl = SSL_new(ctx);
  std::vector<std::string> out;
  STACK_OF(SSL_CIPHER)* list = SSL_get_ciphers(ssl);
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
    if (std::string_view(SSL_CIPHER_get_version(c)) != "TLSv1.3") {
      out.push_back(SSL_CIPHER_get_name(c));
    }
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return out;
}

std::set<std::string> acceptedSuites(SSL_CTX* server, int version, const std::vector<std::string>& suites) {
  std::set<std::string> accepted;
  for (const auto& suite : suites) {
    SSL_CTX* client = clientFor(version, suite);
    if (client == nullptr) {
      continue;  // this OpenSSL cannot offer it at all
    }
    std::string agreed = handshake(server, client);
    if (!agreed.empty()) {
      accepted.insert(agreed);
    }
    SSL_CTX_free(client);
  }
  return accepted;
}

std::shared_ptr<boost::asio::ssl::context> serverContext(const std::filesystem::path& cert,
                                                         const std::filesystem::path& key,
                                                         const std::string& minVersion = "1.2") {
  auto ctx = makeServerContext(TlsSettings{cert, key, minVersion});
  EXPECT_TRUE(ctx.ok()) << (ctx.ok() ? "" : ctx.error());
  return ctx.ok() ? *ctx : nullptr;
}

TEST(TlsCipherSuites, Tls12WithAnEcdsaCertificateOffersOnlyEcdheAead) {
  TempDir dir;
  auto cert = ensureSelfSigned(dir.path(), {});
  ASSERT_TRUE(cert.ok());
  auto server = serverContext(cert->certFile, cert->keyFile);
  ASSERT_TRUE(server);
  std::vector<std::string> all = allTls12Suites();
  ASSERT_GT(all.size(), 20u) << "OpenSSL offers fewer TLS 1.2 suites than expected";
  std::set<std::string> accepted = acceptedSuites(server->native_handle(), TLS1_2_VERSION, all);
  EXPECT_EQ(accepted, (std::set<std::string>{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                             "ECDHE-ECDSA-CHACHA20-POLY1305"}));
}

TEST(TlsCipherSuites, Tls12WithAnRsaCertificateOffersOnlyEcdheAead) {
  TempDir dir;
  writeRsaPair(dir.path() / "rsa.crt", dir.path() / "rsa.key");
  auto server = serverContext(dir.path() / "rsa.crt", dir.path() / "rsa.key");
  ASSERT_TRUE(server);
  std::set<std::string> accepted = acceptedSuites(server->native_handle(), TLS1_2_VERSION, allTls12Suites());
  EXPECT_EQ(accepted, (std::set<std::string>{"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                             "ECDHE-RSA-CHACHA20-POLY1305"}));
}

TEST(TlsCipherSuites, AClientOfferingOnlyCbcOrSha1SuitesGetsNoHandshake) {
  TempDir dir;
  auto cert = ensureSelfSigned(dir.path(), {});
  ASSERT_TRUE(cert.ok());
  auto server = serverContext(cert->certFile, cert->keyFile);
  ASSERT_TRUE(server);
  for (const char* suite : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256",
                            "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA"}) {
    SSL_CTX* client = clientFor(TLS1_2_VERSION, suite);
    ASSERT_NE(client, nullptr) << suite;
    EXPECT_EQ(handshake(server->native_handle(), client), "") << suite << " was accepted";
    SSL_CTX_free(client);
  }
}

TEST(TlsCipherSuites, Tls13OffersItsAeadSuitesAndTheProfileMinimumHolds) {
  TempDir dir;
  auto cert = ensureSelfSigned(dir.path(), {});
  ASSERT_TRUE(cert.ok());
  auto server = serverContext(cert->certFile, cert->keyFile, "1.3");
  ASSERT_TRUE(server);
  std::set<std::string> accepted =
      acceptedSuites(server->native_handle(), TLS1_3_VERSION,
                     {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                      "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"});
  EXPECT_EQ(accepted, (std::set<std::string>{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                             "TLS_CHACHA20_POLY1305_SHA256"}));
  // A profile saying 1.3 (policies/*.toml encryption.min_tls_version) admits no 1.2 suite.
  EXPECT_TRUE(acceptedSuites(server->native_handle(), TLS1_2_VERSION, allTls12Suites()).empty());
}

}  // namespace
}  // namespace medrtc::tls
