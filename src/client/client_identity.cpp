#include "client/client_identity.hpp"

namespace medrtc::client {

std::shared_ptr<const ClientIdentity> ClientIdentity::generate(dtls::DtlsConfig config) {
  std::shared_ptr<ClientIdentity> identity(new ClientIdentity());
  identity->certificate_ = dtls::Certificate::generate();
  identity->fingerprint_ = identity->certificate_->fingerprintSha256();
  identity->clientContext_ = dtls::DtlsContext::create(identity->certificate_, dtls::DtlsRole::kClient, config);
  identity->serverContext_ = dtls::DtlsContext::create(identity->certificate_, dtls::DtlsRole::kServer, config);
  return identity;
}

}  // namespace medrtc::client
