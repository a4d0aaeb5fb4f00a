#pragma once
// The opaque payloads of the end-to-end encryption messages (docs/e2ee.md, docs/protocol.md):
// what the server checks before it relays them. It never decrypts anything; it checks the
// encoding and the size so that one client cannot make it relay junk or large frames.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace medrtc::signaling {

// An uncompressed P-256 point (SEC 1 §2.3.3): 0x04 ‖ X ‖ Y.
inline constexpr size_t kP256PublicKeyBytes = 65;
// docs/protocol.md: an `e2ee_key` ciphertext is at most 2048 bytes decoded, an encrypted
// chat at most 8 KiB.
inline constexpr size_t kMaxE2eeKeyCiphertextBytes = 2048;
inline constexpr size_t kMaxChatCiphertextBytes = 8 * 1024;

// Base64url without padding (RFC 4648 §5, §3.2), canonical only: no '=', no character
// outside the alphabet, no length that leaves 6 bits over, and zero bits after the last
// byte. Canonical matters: the replay check compares the text, so one ciphertext must
// have exactly one spelling. nullopt when `text` is not such an encoding.
std::optional<std::vector<uint8_t>> decodeBase64Url(std::string_view text);

// `public_key` of `e2ee_public_key`: base64url of 65 bytes starting with 0x04.
bool isP256PublicKey(std::string_view text);
// A ciphertext of `e2ee_key` or encrypted `chat`: base64url of 1..maxBytes bytes.
bool isCiphertext(std::string_view text, size_t maxBytes);

}  // namespace medrtc::signaling
