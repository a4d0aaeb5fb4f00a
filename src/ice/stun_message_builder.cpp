#include "ice/stun_message_builder.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "common/hmac_sha1.hpp"
#include "ice/crc32.hpp"

namespace medrtc::ice {

StunMessageBuilder::StunMessageBuilder(MutableByteView buffer, StunMethod method, StunClass cls,
                                       const TransactionId& transactionId)
    : buffer_(buffer) {
  if (buffer_.size() < kStunHeaderSize) {
    ok_ = false;
    return;
  }
  uint8_t* p = buffer_.data();
  writeU16(p, composeMessageType(method, cls));
  writeU16(p + 2, 0);
  writeU32(p + 4, kStunMagicCookie);
  std::memcpy(p + 8, transactionId.data(), transactionId.size());
  size_ = kStunHeaderSize;
}

uint8_t* StunMessageBuilder::appendAttribute(uint16_t type, size_t length) {
  const size_t padded = (length + 3) & ~size_t{3};
  if (!ok_ || length > 0xFFFF || buffer_.size() - size_ < kStunAttributeHeaderSize + padded ||
      size_ + kStunAttributeHeaderSize + padded - kStunHeaderSize > 0xFFFF) {
    ok_ = false;
    return nullptr;
  }
  uint8_t* p = buffer_.data() + size_;
  writeU16(p, type);
  writeU16(p + 2, static_cast<uint16_t>(length));
  std::memset(p + kStunAttributeHeaderSize + length, paddingByte_, padded - length);
  size_ += kStunAttributeHeaderSize + padded;
  // The header length always covers what is written so far; MESSAGE-INTEGRITY and
  // FINGERPRINT rely on that (RFC 8489 §14.5, §14.7).
  writeU16(buffer_.data() + 2, static_cast<uint16_t>(size_ - kStunHeaderSize));
  return p + kStunAttributeHeaderSize;
}

StunMessageBuilder& StunMessageBuilder::addAttribute(uint16_t type, ByteView value) {
  if (uint8_t* v = appendAttribute(type, value.size())) {
    if (!value.empty()) {
      std::memcpy(v, value.data(), value.size());
    }
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::addUsername(std::string_view username) {
  return addAttribute(attr::kUsername, ByteView(reinterpret_cast<const uint8_t*>(username.data()), username.size()));
}

StunMessageBuilder& StunMessageBuilder::addSoftware(std::string_view software) {
  return addAttribute(attr::kSoftware, ByteView(reinterpret_cast<const uint8_t*>(software.data()), software.size()));
}

StunMessageBuilder& StunMessageBuilder::addPriority(uint32_t priority) {
  if (uint8_t* v = appendAttribute(attr::kPriority, 4)) {
    writeU32(v, priority);
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::addUseCandidate() {
  appendAttribute(attr::kUseCandidate, 0);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::addIceControlling(uint64_t tieBreaker) {
  if (uint8_t* v = appendAttribute(attr::kIceControlling, 8)) {
    writeU64(v, tieBreaker);
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::addIceControlled(uint64_t tieBreaker) {
  if (uint8_t* v = appendAttribute(attr::kIceControlled, 8)) {
    writeU64(v, tieBreaker);
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::addXorMappedAddress(const SocketAddress& address) {
  // RFC 8489 §14.2.
  const auto xport = static_cast<uint16_t>(address.port() ^ (kStunMagicCookie >> 16));
  if (address.isIpv4()) {
    if (uint8_t* v = appendAttribute(attr::kXorMappedAddress, 8)) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(address.sockaddrPtr());
      v[0] = 0;
      v[1] = 0x01;
      writeU16(v + 2, xport);
      writeU32(v + 4, ntohl(sin->sin_addr.s_addr) ^ kStunMagicCookie);
    }
    return *this;
  }
  if (address.family() != AF_INET6) {
    ok_ = false;
    error_ = StunError::kBadAttribute;
    return *this;
  }
  if (uint8_t* v = appendAttribute(attr::kXorMappedAddress, 20)) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(address.sockaddrPtr());
    v[0] = 0;
    v[1] = 0x02;
    writeU16(v + 2, xport);
    const uint8_t* mask = buffer_.data() + 4;  // cookie then transaction id
    for (size_t i = 0; i < 16; ++i) {
      v[4 + i] = sin6->sin6_addr.s6_addr[i] ^ mask[i];
    }
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::addErrorCode(uint16_t code, std::string_view reason) {
  // RFC 8489 §14.8: class (hundreds) in 3 bits, number (0..99) in a byte.
  if (code < 300 || code > 699 || reason.size() > kMaxTextLength) {
    ok_ = false;
    error_ = StunError::kBadAttribute;
    return *this;
  }
  if (uint8_t* v = appendAttribute(attr::kErrorCode, 4 + reason.size())) {
    v[0] = 0;
    v[1] = 0;
    v[2] = static_cast<uint8_t>(code / 100);
    v[3] = static_cast<uint8_t>(code % 100);
    if (!reason.empty()) {
      std::memcpy(v + 4, reason.data(), reason.size());
    }
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::addMessageIntegrity(std::string_view key) {
  // appendAttribute sets the length to include MESSAGE-INTEGRITY itself, which is exactly
  // the length the HMAC must see (RFC 8489 §14.5).
  const size_t covered = size_;
  if (uint8_t* v = appendAttribute(attr::kMessageIntegrity, kHmacSha1Size)) {
    const auto mac = hmacSha1(key, {ByteView(buffer_.data(), covered)});
    std::memcpy(v, mac.data(), mac.size());
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::addFingerprint() {
  const size_t covered = size_;
  if (uint8_t* v = appendAttribute(attr::kFingerprint, 4)) {
    writeU32(v, crc32(ByteView(buffer_.data(), covered)) ^ kFingerprintXor);
  }
  return *this;
}

Result<ByteView, StunError> StunMessageBuilder::finish() const {
  if (!ok_) {
    return fail(error_);
  }
  return ByteView(buffer_.data(), size_);
}

}  // namespace medrtc::ice
