#pragma once
// STUN wire constants (RFC 8489 §5, §18) and the ICE attributes (RFC 8445 §16.1).
#include <array>
#include <cstddef>
#include <cstdint>

namespace medrtc::ice {

// RFC 8489 §5: fixed value in bytes 4..7 of every STUN message.
inline constexpr uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr size_t kStunHeaderSize = 20;
inline constexpr size_t kStunAttributeHeaderSize = 4;
inline constexpr size_t kTransactionIdSize = 12;
// RFC 8489 §14.7: the CRC-32 is XOR'ed with this so it differs from other protocols' CRCs.
inline constexpr uint32_t kFingerprintXor = 0x5354554E;
inline constexpr size_t kHmacSha1Size = 20;

using TransactionId = std::array<uint8_t, kTransactionIdSize>;

// RFC 8489 §18.2. ICE only uses Binding.
enum class StunMethod : uint16_t { kBinding = 0x001 };

// RFC 8489 §5: the two class bits C1 C0.
enum class StunClass : uint8_t { kRequest = 0, kIndication = 1, kSuccessResponse = 2, kErrorResponse = 3 };

// RFC 8489 §18.3, RFC 8445 §16.1.
namespace attr {
inline constexpr uint16_t kMappedAddress = 0x0001;
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kUnknownAttributes = 0x000A;
inline constexpr uint16_t kRealm = 0x0014;
inline constexpr uint16_t kNonce = 0x0015;
inline constexpr uint16_t kMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kPasswordAlgorithm = 0x001D;
inline constexpr uint16_t kUserhash = 0x001E;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPriority = 0x0024;
inline constexpr uint16_t kUseCandidate = 0x0025;
inline constexpr uint16_t kPasswordAlgorithms = 0x8002;
inline constexpr uint16_t kAlternateDomain = 0x8003;
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kAlternateServer = 0x8023;
inline constexpr uint16_t kFingerprint = 0x8028;
inline constexpr uint16_t kIceControlled = 0x8029;
inline constexpr uint16_t kIceControlling = 0x802A;
}  // namespace attr

// RFC 8489 §14.3: USERNAME is less than 509 bytes; RFC 8489 §14.8/§14.9: reason phrase
// and SOFTWARE are fewer than 128 characters, i.e. at most 763 bytes of UTF-8.
inline constexpr size_t kMaxUsernameLength = 508;
inline constexpr size_t kMaxTextLength = 763;

// RFC 8489 §5: M11..M7 C1 M6..M4 C0 M3..M0 in the 14 low bits of the type field.
constexpr uint16_t composeMessageType(StunMethod method, StunClass cls) {
  auto m = static_cast<uint16_t>(method);
  auto c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) |
                               ((c & 2) << 7));
}
constexpr StunMethod methodOf(uint16_t type) {
  return static_cast<StunMethod>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}
constexpr StunClass classOf(uint16_t type) {
  return static_cast<StunClass>(((type >> 4) & 1) | ((type >> 7) & 2));
}

}  // namespace medrtc::ice
