#include "client/check_responder.hpp"

#include "ice/stun_message_builder.hpp"

namespace medrtc::client {

CheckResponder::CheckResponder(std::string localUfrag, std::string localPassword)
    : localUfrag_(std::move(localUfrag)), localPassword_(std::move(localPassword)) {}

std::optional<ByteView> CheckResponder::respond(const ice::StunMessage& request, const SocketAddress& from) {
  if (request.messageClass() != ice::StunClass::kRequest || request.method() != ice::StunMethod::kBinding) {
    return std::nullopt;
  }
  // RFC 8445 §7.2.2: USERNAME is "<receiver's ufrag>:<sender's ufrag>", keyed with the
  // receiver's (our) password.
  auto username = request.username();
  if (!username || username->size() <= localUfrag_.size() || username->substr(0, localUfrag_.size()) != localUfrag_ ||
      (*username)[localUfrag_.size()] != ':' || !request.hasMessageIntegrity() ||
      !request.verifyMessageIntegrity(localPassword_)) {
    return std::nullopt;
  }
  const bool conflict = request.iceControlling().has_value();
  ice::StunMessageBuilder b(buffer_, ice::StunMethod::kBinding,
                            conflict ? ice::StunClass::kErrorResponse : ice::StunClass::kSuccessResponse,
                            request.transactionId());
  if (conflict) {
    b.addErrorCode(487, "Role Conflict");
  } else {
    b.addXorMappedAddress(from);
  }
  b.addMessageIntegrity(localPassword_).addFingerprint();
  auto bytes = b.finish();
  if (!bytes) {
    return std::nullopt;
  }
  ++answered_;
  return *bytes;
}

}  // namespace medrtc::client
