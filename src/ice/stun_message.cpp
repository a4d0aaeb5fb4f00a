#include "ice/stun_message.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "common/hmac_sha1.hpp"
#include "ice/crc32.hpp"

namespace medrtc::ice {
namespace {

constexpr uint8_t kFamilyIpv4 = 0x01;
constexpr uint8_t kFamilyIpv6 = 0x02;

bool isKnownAttribute(uint16_t type) {
  switch (type) {
    case attr::kMappedAddress:
    case attr::kUsername:
    case attr::kMessageIntegrity:
    case attr::kErrorCode:
    case attr::kUnknownAttributes:
    case attr::kRealm:
    case attr::kNonce:
    case attr::kMessageIntegritySha256:
    case attr::kPasswordAlgorithm:
    case attr::kUserhash:
    case attr::kXorMappedAddress:
    case attr::kPriority:
    case attr::kUseCandidate:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool looksLikeStun(ByteView datagram) {
  return datagram.size() >= kStunHeaderSize && datagram[0] <= 3 && readU32(datagram.data() + 4) == kStunMagicCookie;
}

Result<StunMessage, StunError> StunMessage::parse(ByteView datagram) {
  if (datagram.size() < kStunHeaderSize) {
    return fail(StunError::kTooShort);
  }
  const uint8_t* p = datagram.data();
  // RFC 8489 §6.3: the two most significant bits are zero and the cookie is present.
  if ((p[0] & 0xC0) != 0 || readU32(p + 4) != kStunMagicCookie) {
    return fail(StunError::kNotStun);
  }
  // RFC 8489 §5: the length excludes the header and is a multiple of 4 (attributes are
  // padded). Over UDP one datagram is one message, so it must match exactly.
  const size_t declared = readU16(p + 2);
  if (declared % 4 != 0 || kStunHeaderSize + declared != datagram.size()) {
    return fail(StunError::kBadLength);
  }

  StunMessage message(datagram);
  bool afterIntegrity = false;
  bool afterFingerprint = false;
  size_t offset = kStunHeaderSize;
  const size_t size = datagram.size();
  while (offset < size) {
    if (size - offset < kStunAttributeHeaderSize) {
      return fail(StunError::kBadAttribute);
    }
    const uint16_t type = readU16(p + offset);
    const uint16_t length = readU16(p + offset + 2);
    const size_t valueOffset = offset + kStunAttributeHeaderSize;
    const size_t padded = (size_t{length} + 3) & ~size_t{3};
    if (padded > size - valueOffset) {
      return fail(StunError::kBadAttribute);
    }
    if (++message.attributeCount_ > kMaxAttributes) {
      return fail(StunError::kTooManyAttributes);
    }
    // RFC 8489 §14.7: FINGERPRINT is last.
    if (afterFingerprint) {
      return fail(StunError::kFingerprintNotLast);
    }
    if (type == attr::kFingerprint) {
      if (length != 4) {
        return fail(StunError::kBadAttribute);
      }
      message.slot(Slot::kFingerprint) = {static_cast<uint32_t>(valueOffset), length};
      afterFingerprint = true;
    } else if (!afterIntegrity) {
      // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY other than FINGERPRINT are
      // ignored, so they are not recorded (and cannot be spoofed past the HMAC).
      if (auto err = message.recordAttribute(type, static_cast<uint32_t>(valueOffset), length)) {
        return fail(*err);
      }
      afterIntegrity = type == attr::kMessageIntegrity;
    }
    offset = valueOffset + padded;
  }
  return message;
}

std::optional<StunError> StunMessage::recordAttribute(uint16_t type, uint32_t valueOffset, uint16_t length) {
  const uint8_t* v = data_.data() + valueOffset;
  Slot s;
  switch (type) {
    case attr::kUsername:
      if (length > kMaxUsernameLength) {
        return StunError::kAttributeTooLong;
      }
      s = Slot::kUsername;
      break;
    case attr::kSoftware:
      if (length > kMaxTextLength) {
        return StunError::kAttributeTooLong;
      }
      s = Slot::kSoftware;
      break;
    case attr::kPriority:
      if (length != 4) {
        return StunError::kBadAttribute;
      }
      s = Slot::kPriority;
      break;
    case attr::kUseCandidate:
      if (length != 0) {
        return StunError::kBadAttribute;
      }
      s = Slot::kUseCandidate;
      break;
    case attr::kIceControlling:
    case attr::kIceControlled:
      if (length != 8) {
        return StunError::kBadAttribute;
      }
      s = type == attr::kIceControlling ? Slot::kIceControlling : Slot::kIceControlled;
      break;
    case attr::kXorMappedAddress:
      if (length < 4 || !((v[1] == kFamilyIpv4 && length == 8) || (v[1] == kFamilyIpv6 && length == 20))) {
        return StunError::kBadAttribute;
      }
      s = Slot::kXorMappedAddress;
      break;
    case attr::kErrorCode: {
      if (length < 4) {
        return StunError::kBadAttribute;
      }
      if (length - 4u > kMaxTextLength) {
        return StunError::kAttributeTooLong;
      }
      const int cls = v[2] & 0x07;
      if (cls < 3 || cls > 6 || v[3] > 99) {
        return StunError::kBadAttribute;
      }
      s = Slot::kErrorCode;
      break;
    }
    case attr::kMessageIntegrity:
      if (length != kHmacSha1Size) {
        return StunError::kBadAttribute;
      }
      s = Slot::kMessageIntegrity;
      break;
    default:
      // RFC 8489 §15: 0x0000-0x7FFF are comprehension-required.
      if (type < 0x8000 && !isKnownAttribute(type)) {
        unknownComprehensionRequired_ = true;
      }
      return std::nullopt;
  }
  // RFC 8489 §14: only the first occurrence of an attribute counts.
  if (!slot(s).present()) {
    slot(s) = {valueOffset, length};
  }
  return std::nullopt;
}

TransactionId StunMessage::transactionId() const {
  TransactionId id;
  std::memcpy(id.data(), data_.data() + 8, id.size());
  return id;
}

std::optional<std::string_view> StunMessage::username() const {
  if (!slot(Slot::kUsername).present()) {
    return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(valueOf(Slot::kUsername)), slot(Slot::kUsername).length);
}

std::optional<std::string_view> StunMessage::software() const {
  if (!slot(Slot::kSoftware).present()) {
    return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(valueOf(Slot::kSoftware)), slot(Slot::kSoftware).length);
}

std::optional<uint32_t> StunMessage::priority() const {
  if (!slot(Slot::kPriority).present()) {
    return std::nullopt;
  }
  return readU32(valueOf(Slot::kPriority));
}

std::optional<uint64_t> StunMessage::iceControlling() const {
  if (!slot(Slot::kIceControlling).present()) {
    return std::nullopt;
  }
  return readU64(valueOf(Slot::kIceControlling));
}

std::optional<uint64_t> StunMessage::iceControlled() const {
  if (!slot(Slot::kIceControlled).present()) {
    return std::nullopt;
  }
  return readU64(valueOf(Slot::kIceControlled));
}

std::optional<SocketAddress> StunMessage::xorMappedAddress() const {
  if (!slot(Slot::kXorMappedAddress).present()) {
    return std::nullopt;
  }
  // RFC 8489 §14.2: port XOR the cookie's top 16 bits; IPv4 XOR the cookie; IPv6 XOR the
  // cookie followed by the transaction id.
  const uint8_t* v = valueOf(Slot::kXorMappedAddress);
  const uint16_t port = readU16(v + 2) ^ static_cast<uint16_t>(kStunMagicCookie >> 16);
  SocketAddress address;
  if (v[1] == kFamilyIpv4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(address.sockaddrPtr());
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr.s_addr = htonl(readU32(v + 4) ^ kStunMagicCookie);
    return address;
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(address.sockaddrPtr());
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  const uint8_t* mask = data_.data() + 4;  // cookie then transaction id: 16 contiguous bytes
  for (size_t i = 0; i < 16; ++i) {
    sin6->sin6_addr.s6_addr[i] = v[4 + i] ^ mask[i];
  }
  return address;
}

std::optional<StunErrorCode> StunMessage::errorCode() const {
  if (!slot(Slot::kErrorCode).present()) {
    return std::nullopt;
  }
  const uint8_t* v = valueOf(Slot::kErrorCode);
  StunErrorCode ec;
  ec.code = static_cast<uint16_t>((v[2] & 0x07) * 100 + v[3]);
  ec.reason = std::string_view(reinterpret_cast<const char*>(v + 4), slot(Slot::kErrorCode).length - 4u);
  return ec;
}

bool StunMessage::verifyMessageIntegrity(std::string_view key) const {
  const AttributeRef& mi = slot(Slot::kMessageIntegrity);
  if (!mi.present()) {
    return false;
  }
  const size_t attributeStart = mi.offset - kStunAttributeHeaderSize;
  // RFC 8489 §14.5: the length field counts up to the end of MESSAGE-INTEGRITY.
  uint8_t lengthField[2];
  writeU16(lengthField, static_cast<uint16_t>(mi.offset + kHmacSha1Size - kStunHeaderSize));
  const auto expected = hmacSha1(key, {data_.subspan(0, 2), ByteView(lengthField, 2),
                                       data_.subspan(4, attributeStart - 4)});
  return equalsConstantTime(expected, ByteView(valueOf(Slot::kMessageIntegrity), kHmacSha1Size));
}

bool StunMessage::verifyFingerprint() const {
  const AttributeRef& fp = slot(Slot::kFingerprint);
  if (!fp.present()) {
    return false;
  }
  // FINGERPRINT is last (enforced by parse), so the header length is already right.
  const uint32_t crc = crc32(data_.subspan(0, fp.offset - kStunAttributeHeaderSize)) ^ kFingerprintXor;
  return crc == readU32(valueOf(Slot::kFingerprint));
}

}  // namespace medrtc::ice
