// End-to-end encryption (docs/e2ee.md): the server's part is to relay. Public keys go to
// everyone in the call, key blobs to one recipient, encrypted chat to the call; all of it
// opaque. What the server checks: that the sender and recipient are in the call, that the
// room is an E2EE one, that the payloads are well-formed and bounded, and that a sender
// does not repeat a key blob (replay). It never sees a key it could decrypt media with.
#include "clinic/rfc3339.hpp"
#include "log/log.hpp"
#include "signaling/message/e2ee_payload.hpp"
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

void SignalingHub::handle(ConnectionId, Connection& c, E2eePublicKeyMessage& m) {
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "keys are for participants in the call", "e2ee_public_key");
    return;
  }
  if (!c.e2eeRoom) {
    sendError(c, ErrorCode::kE2eeInvalidMessage, "this consultation is not end-to-end encrypted", "e2ee_public_key");
    return;
  }
  if (!isP256PublicKey(m.publicKey)) {
    sendError(c, ErrorCode::kE2eeInvalidMessage,
              "public_key must be an uncompressed P-256 point (65 bytes, 0x04 first) in base64url without padding",
              "e2ee_public_key");
    return;
  }
  // A rotation replaces the key; the ones who joined later read it in participant objects.
  c.e2eePublicKey = std::move(m.publicKey);
  broadcast(c.roomId, c.participantId, e2eePublicKeyMessage(c.participantId, c.e2eePublicKey));
}

void SignalingHub::handle(ConnectionId, Connection& c, E2eeKeyMessage& m) {
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "keys are for participants in the call", "e2ee_key");
    return;
  }
  if (!c.e2eeRoom) {
    sendError(c, ErrorCode::kE2eeInvalidMessage, "this consultation is not end-to-end encrypted", "e2ee_key");
    return;
  }
  if (!isCiphertext(m.ciphertext, kMaxE2eeKeyCiphertextBytes)) {
    sendError(c, ErrorCode::kE2eeInvalidMessage, "ciphertext must be 1 to 2048 bytes in base64url without padding",
              "e2ee_key");
    return;
  }
  // Only someone in the same call: never a waiting guest (K3: it learns nothing of the
  // call), never a participant of another room, never oneself.
  Connection* to = byParticipant(m.to);
  if (to == nullptr || to == &c || to->roomId != c.roomId || to->state != State::kJoined) {
    sendError(c, ErrorCode::kE2eeUnknownRecipient, "the recipient is not in this call", "e2ee_key");
    return;
  }
  if (c.sentKeys.seen(m.ciphertext)) {
    log::info("e2ee_replayed", {{"room", c.roomId}, {"participant", c.participantId}});
    sendError(c, ErrorCode::kE2eeReplayed, "this key message was already sent", "e2ee_key");
    return;
  }
  c.sentKeys.remember(m.ciphertext);
  to->socket->sendText(e2eeKeyMessage(c.participantId, m.ciphertext));
}

void SignalingHub::relayEncryptedChat(Connection& c, ChatMessage& m) {
  if (!c.e2eeRoom) {
    sendError(c, ErrorCode::kE2eeInvalidMessage, "this consultation is not end-to-end encrypted; send text", "chat");
    return;
  }
  // The server never relays clear text in an E2EE room, not even alongside a ciphertext.
  if (m.hasText) {
    sendError(c, ErrorCode::kE2eeInvalidMessage,
              "this consultation is end-to-end encrypted: chat must be sent as ciphertext", "chat");
    return;
  }
  if (!isCiphertext(m.ciphertext, kMaxChatCiphertextBytes)) {
    sendError(c, ErrorCode::kE2eeInvalidMessage, "ciphertext must be 1 to 8192 bytes in base64url without padding",
              "chat");
    return;
  }
  // Not stored, not logged: relayed to everyone in the call, the sender included.
  broadcast(c.roomId, "",
            encryptedChatMessage(c.participantId, c.claims.name, m.ciphertext, clinic::formatRfc3339(nowSeconds())));
}

}  // namespace medrtc::signaling
