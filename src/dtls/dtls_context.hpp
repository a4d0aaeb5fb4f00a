#pragma once
// One OpenSSL SSL_CTX per (certificate, role), shared by every DtlsTransport of a worker:
// the certificate, cipher list, SRTP profiles and verify policy are the same for all, and
// SSL_CTX setup is far too costly to repeat per peer.
#include <openssl/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "common/clock.hpp"
#include "dtls/certificate.hpp"
#include "dtls/dtls_role.hpp"
#include "srtp/srtp_profile.hpp"

namespace medrtc::dtls {

struct DtlsConfig {
  // Largest datagram we send. 1,200 bytes fits any path WebRTC cares about, including
  // IPv6 + TURN framing, without IP fragmentation.
  size_t mtu = 1200;
  // RFC 6347 §4.2.4.1: start at 1 s and double up to no less than 60 s.
  Micros initialRetransmitTimeout{std::chrono::seconds(1)};
  Micros maxRetransmitTimeout{std::chrono::seconds(60)};
  // use_srtp offer / acceptance order, most preferred first. GCM first: DESIGN.md §3.
  std::vector<srtp::SrtpProfile> srtpProfiles{srtp::SrtpProfile::kAeadAes128Gcm, srtp::SrtpProfile::kAeadAes256Gcm,
                                               srtp::SrtpProfile::kAes128CmSha1_80};
};

// Implemented by the owner of an SSL made by DtlsContext::newSsl (DtlsTransport); the
// context's certificate-verify callback reaches it through SSL app data.
class PeerCertificateVerifier {
 public:
  virtual ~PeerCertificateVerifier() = default;
  // The peer's leaf certificate; return false to fail the handshake with bad_certificate.
  virtual bool verifyPeerCertificate(X509* certificate) = 0;
};

class DtlsContext {
 public:
  // Throws std::runtime_error if OpenSSL rejects the setup: a start-up failure.
  static std::shared_ptr<DtlsContext> create(std::shared_ptr<const Certificate> certificate, DtlsRole role,
                                             DtlsConfig config = {});
  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  // A new SSL for one association: role, MTU and retransmission timer set. nullptr if
  // OpenSSL is out of memory. The caller owns it (SSL_free) and attaches BIOs.
  SSL* newSsl(PeerCertificateVerifier& verifier) const;

  DtlsRole role() const { return role_; }
  const DtlsConfig& config() const { return config_; }
  const Certificate& certificate() const { return *certificate_; }
  SSL_CTX* native() const { return ctx_; }

 private:
  DtlsContext(std::shared_ptr<const Certificate> certificate, DtlsRole role, DtlsConfig config, SSL_CTX* ctx)
      : certificate_(std::move(certificate)), role_(role), config_(std::move(config)), ctx_(ctx) {}

  std::shared_ptr<const Certificate> certificate_;
  DtlsRole role_;
  DtlsConfig config_;
  SSL_CTX* ctx_;
};

}  // namespace medrtc::dtls
