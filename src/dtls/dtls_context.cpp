#include "dtls/dtls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace medrtc::dtls {
namespace {

static_assert(SRTP_AEAD_AES_128_GCM == 0x0007);
static_assert(SRTP_AES128_CM_SHA1_80 == 0x0001);

// DTLS 1.2 AEAD suites with forward secrecy. ECDSA ones serve our own P-256 certificate;
// the ECDHE-RSA one only matters when we are the client of a peer with an RSA certificate
// (Janus by default), since the server's certificate decides the suite's signature type.
constexpr char kCipherList[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256";
constexpr char kGroups[] = "X25519:P-256";

// WebRTC peers present self-signed certificates; trust comes from comparing the
// fingerprint with the one in the signalled SDP (RFC 8827 §6.5), so chain building is
// replaced entirely by this callback.
int verifyCertificate(X509_STORE_CTX* store, void* /*arg*/) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  auto* verifier = ssl ? static_cast<PeerCertificateVerifier*>(SSL_get_app_data(ssl)) : nullptr;
  if (verifier == nullptr || leaf == nullptr) {
    return 0;
  }
  if (!verifier->verifyPeerCertificate(leaf)) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  return 1;
}

// OpenSSL asks for the next retransmission timeout: 0 on the first flight, else the
// previous one. Doubling with a cap, RFC 6347 §4.2.4.1.
unsigned int retransmitTimer(SSL* ssl, unsigned int previousUs) {
  auto* context = static_cast<const DtlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  const auto initial = static_cast<unsigned long long>(context->config().initialRetransmitTimeout.count());
  const auto cap = static_cast<unsigned long long>(context->config().maxRetransmitTimeout.count());
  unsigned long long next = previousUs == 0 ? initial : std::min(2ULL * previousUs, cap);
  return static_cast<unsigned int>(std::min<unsigned long long>(next, 0xffffffffULL));
}

void check(bool ok, const char* what) {
  if (!ok) {
    unsigned long e = ERR_get_error();
    char detail[256] = "";
    ERR_error_string_n(e, detail, sizeof detail);
    ERR_clear_error();
    throw std::runtime_error(std::string("DTLS context setup failed: ") + what + ": " + detail);
  }
}

}  // namespace

std::shared_ptr<DtlsContext> DtlsContext::create(std::shared_ptr<const Certificate> certificate, DtlsRole role,
                                                 DtlsConfig config) {
  SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
  check(ctx != nullptr, "SSL_CTX_new");
  std::shared_ptr<DtlsContext> context(new DtlsContext(std::move(certificate), role, std::move(config), ctx));

  check(SSL_CTX_use_certificate(ctx, context->certificate().x509()) == 1, "certificate");
  check(SSL_CTX_use_PrivateKey(ctx, context->certificate().privateKey()) == 1, "private key");
  check(SSL_CTX_check_private_key(ctx) == 1, "key mismatch");
  // DTLS 1.0 lacks AEAD suites and RFC 8827 §6.5 requires DTLS 1.2 or later.
  check(SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1, "min version");
  check(SSL_CTX_set_cipher_list(ctx, kCipherList) == 1, "cipher list");
  check(SSL_CTX_set1_groups_list(ctx, kGroups) == 1, "groups");
  // NO_QUERY_MTU: a memory BIO has no path MTU; we set it (newSsl). Server preference makes
  // our profile and suite order win. No renegotiation or tickets in WebRTC.
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_read_ahead(ctx, 1);
  // Free a connection's record buffers while they hold nothing (what is idle between
  // datagrams); a call transport frees the whole SSL after the handshake anyway
  // (DtlsTransport::releaseHandshakeState), this is for those that keep it (probes, clients).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // Both sides present certificates (RFC 5763 §5): the server must ask for the client's.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, verifyCertificate, nullptr);

  std::string profiles;
  for (auto p : context->config().srtpProfiles) {
    if (!profiles.empty()) {
      profiles += ':';
    }
    profiles += srtp::srtpProfileSpec(p).openSslName;
  }
  if (!profiles.empty()) {
    // Returns 0 on success, unlike most of OpenSSL.
    check(SSL_CTX_set_tlsext_use_srtp(ctx, profiles.c_str()) == 0, "use_srtp");
  }
  SSL_CTX_set_app_data(ctx, context.get());
  return context;
}

DtlsContext::~DtlsContext() { SSL_CTX_free(ctx_); }

SSL* DtlsContext::newSsl(PeerCertificateVerifier& verifier) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) {
    return nullptr;
  }
  SSL_set_app_data(ssl, &verifier);
  SSL_set_mtu(ssl, static_cast<long>(config_.mtu));
  // No record is larger than a datagram anyway; OpenSSL sizes each connection's record
  // write buffer by this (16 KiB + overhead by default, kept for the connection's life:
  // DTLS never releases it), so two connections per participant saved ≈ 30 KiB.
  SSL_set_max_send_fragment(ssl, static_cast<long>(std::max<size_t>(config_.mtu, 512)));
  DTLS_set_timer_cb(ssl, retransmitTimer);
  if (role_ == DtlsRole::kClient) {
    SSL_set_connect_state(ssl);
  } else {
    SSL_set_accept_state(ssl);
  }
  return ssl;
}

}  // namespace medrtc::dtls
