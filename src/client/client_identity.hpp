#pragma once
// The DTLS identity of synthetic clients: one certificate and one SSL_CTX per DTLS role,
// made once and shared by every PeerConnection of a process (a load generator runs
// hundreds; an SSL_CTX per connection would dominate its start-up). Immutable after
// generate(), so connections on different event-loop threads may share it.
#include <memory>
#include <string>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_role.hpp"

namespace medrtc::client {

class ClientIdentity {
 public:
  // Throws std::runtime_error if OpenSSL fails (a start-up failure).
  static std::shared_ptr<const ClientIdentity> generate(dtls::DtlsConfig config = {});

  const dtls::Certificate& certificate() const { return *certificate_; }
  // "AB:CD:..." for a=fingerprint:sha-256.
  const std::string& fingerprintSha256() const { return fingerprint_; }
  const std::shared_ptr<const dtls::DtlsContext>& context(dtls::DtlsRole role) const {
    return role == dtls::DtlsRole::kClient ? clientContext_ : serverContext_;
  }

 private:
  ClientIdentity() = default;

  std::shared_ptr<dtls::Certificate> certificate_;
  std::string fingerprint_;
  std::shared_ptr<const dtls::DtlsContext> clientContext_;
  std::shared_ptr<const dtls::DtlsContext> serverContext_;
};

}  // namespace medrtc::client
