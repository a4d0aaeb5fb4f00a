// libFuzzer target for the signaling message parser (src/signaling/message/): any bytes
// a browser could send in one WebSocket text frame.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signaling/message/client_message.hpp"
#include "signaling/message/e2ee_payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace medrtc::signaling;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = parseClientMessage(text);
  if (!result.ok()) {
    // Describing an error must also be safe for every input.
    (void)describe(result.error());
    (void)isE2eeMessageError(result.error());
    return 0;
  }
  // The E2EE payloads the hub checks before relaying (docs/e2ee.md).
  if (const auto* key = std::get_if<E2eePublicKeyMessage>(&*result)) {
    (void)isP256PublicKey(key->publicKey);
  } else if (const auto* blob = std::get_if<E2eeKeyMessage>(&*result)) {
    (void)isCiphertext(blob->ciphertext, kMaxE2eeKeyCiphertextBytes);
  } else if (const auto* chat = std::get_if<ChatMessage>(&*result)) {
    (void)isCiphertext(chat->ciphertext, kMaxChatCiphertextBytes);
  }
  return 0;
}
