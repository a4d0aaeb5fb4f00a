#pragma once
// Writes a STUN message (RFC 8489) into a buffer the caller owns, so answering a check
// allocates nothing. Attributes are appended in call order; MESSAGE-INTEGRITY and then
// FINGERPRINT go last. If the buffer runs out, every later call is a no-op and finish()
// reports kBufferTooSmall (kBadAttribute for a value the wire format cannot carry).
#include <cstdint>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/socket_address.hpp"
#include "ice/stun_constants.hpp"
#include "ice/stun_error.hpp"

namespace medrtc::ice {

class StunMessageBuilder {
 public:
  // Enough for any ICE message we send: header, USERNAME (≤ 513), a few fixed attributes.
  static constexpr size_t kRecommendedBufferSize = 1024;

  StunMessageBuilder(MutableByteView buffer, StunMethod method, StunClass cls, const TransactionId& transactionId);

  // RFC 8489 §14 says padding bytes are ignored; RFC 5769's vectors pad with spaces,
  // so tests set 0x20 to rebuild them byte for byte. Default 0.
  void setPaddingByte(uint8_t byte) { paddingByte_ = byte; }

  StunMessageBuilder& addUsername(std::string_view username);
  StunMessageBuilder& addPriority(uint32_t priority);
  StunMessageBuilder& addUseCandidate();
  StunMessageBuilder& addIceControlling(uint64_t tieBreaker);
  StunMessageBuilder& addIceControlled(uint64_t tieBreaker);
  StunMessageBuilder& addXorMappedAddress(const SocketAddress& address);
  StunMessageBuilder& addErrorCode(uint16_t code, std::string_view reason);
  StunMessageBuilder& addSoftware(std::string_view software);
  StunMessageBuilder& addAttribute(uint16_t type, ByteView value);
  // RFC 8489 §14.5, short-term credentials: key = the password.
  StunMessageBuilder& addMessageIntegrity(std::string_view key);
  // RFC 8489 §14.7. Call last.
  StunMessageBuilder& addFingerprint();

  bool ok() const { return ok_; }
  size_t size() const { return size_; }
  Result<ByteView, StunError> finish() const;

 private:
  // Reserves an attribute header plus padded value; nullptr (and !ok) if it does not fit.
  uint8_t* appendAttribute(uint16_t type, size_t length);

  MutableByteView buffer_;
  size_t size_ = 0;
  bool ok_ = true;
  StunError error_ = StunError::kBufferTooSmall;
  uint8_t paddingByte_ = 0;
};

}  // namespace medrtc::ice
