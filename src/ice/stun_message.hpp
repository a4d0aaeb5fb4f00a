#pragma once
// A parsed STUN message (RFC 8489): a non-owning view over the datagram that remembers
// where the attributes ICE needs are. Parsing validates every length and never throws;
// the view is only valid while the datagram's bytes are.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/socket_address.hpp"
#include "ice/stun_constants.hpp"
#include "ice/stun_error.hpp"

namespace medrtc::ice {

// RFC 7983 §7: a first byte of 0..3 means STUN; the magic cookie confirms it cheaply
// before the demultiplexer hands the datagram to the parser.
bool looksLikeStun(ByteView datagram);

// RFC 8489 §14.8.
struct StunErrorCode {
  uint16_t code = 0;        // 300..699
  std::string_view reason;  // UTF-8 reason phrase, without padding
};

class StunMessage {
 public:
  // More attributes than this is an attack, not ICE: a Binding request carries about 7.
  static constexpr size_t kMaxAttributes = 32;

  static Result<StunMessage, StunError> parse(ByteView datagram);

  uint16_t messageType() const { return readU16(data_.data()); }
  StunMethod method() const { return methodOf(messageType()); }
  StunClass messageClass() const { return classOf(messageType()); }
  TransactionId transactionId() const;
  ByteView raw() const { return data_; }
  size_t attributeCount() const { return attributeCount_; }

  std::optional<std::string_view> username() const;
  std::optional<uint32_t> priority() const;
  bool useCandidate() const { return slot(Slot::kUseCandidate).present(); }
  std::optional<uint64_t> iceControlling() const;
  std::optional<uint64_t> iceControlled() const;
  std::optional<SocketAddress> xorMappedAddress() const;
  std::optional<StunErrorCode> errorCode() const;
  std::optional<std::string_view> software() const;

  bool hasMessageIntegrity() const { return slot(Slot::kMessageIntegrity).present(); }
  bool hasFingerprint() const { return slot(Slot::kFingerprint).present(); }
  // RFC 8489 §6.3.1: a request with one of these must be answered with 420.
  bool hasUnknownComprehensionRequired() const { return unknownComprehensionRequired_; }

  // Short-term credentials (RFC 8489 §9.1): key = the password. RFC 8489 §14.5: the HMAC
  // covers the message up to MESSAGE-INTEGRITY with the header length set as if
  // MESSAGE-INTEGRITY were last, so a FINGERPRINT after it is excluded correctly.
  bool verifyMessageIntegrity(std::string_view key) const;
  // RFC 8489 §14.7: CRC-32 of the message up to FINGERPRINT, XOR 0x5354554E.
  bool verifyFingerprint() const;

 private:
  enum class Slot : uint8_t {
    kUsername,
    kPriority,
    kUseCandidate,
    kIceControlling,
    kIceControlled,
    kXorMappedAddress,
    kErrorCode,
    kSoftware,
    kMessageIntegrity,
    kFingerprint,
    kCount,
  };
  // Where an attribute's value starts (0 = absent: no value starts inside the header).
  struct AttributeRef {
    uint32_t offset = 0;
    uint16_t length = 0;
    bool present() const { return offset != 0; }
  };

  explicit StunMessage(ByteView data) : data_(data) {}
  const AttributeRef& slot(Slot s) const { return slots_[static_cast<size_t>(s)]; }
  AttributeRef& slot(Slot s) { return slots_[static_cast<size_t>(s)]; }
  const uint8_t* valueOf(Slot s) const { return data_.data() + slot(s).offset; }
  std::optional<StunError> recordAttribute(uint16_t type, uint32_t valueOffset, uint16_t length);

  ByteView data_;
  std::array<AttributeRef, static_cast<size_t>(Slot::kCount)> slots_{};
  size_t attributeCount_ = 0;
  bool unknownComprehensionRequired_ = false;
};

}  // namespace medrtc::ice
