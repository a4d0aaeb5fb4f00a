#include "rtp/rtp_packet_view.hpp"

namespace medrtc::rtp {

Result<RtpPacketView, RtpError> RtpPacketView::parse(MutableByteView packet) {
  // Sizes are kept in 16 bits: a UDP datagram cannot be larger.
  if (packet.size() < kRtpFixedHeaderSize) {
    return fail(RtpError::kTooShort);
  }
  if (packet.size() > 0xFFFF) {
    return fail(RtpError::kTooLong);
  }
  if ((packet[0] >> 6) != 2) {
    return fail(RtpError::kBadVersion);
  }
  RtpPacketView view;
  view.data_ = packet;
  size_t offset = kRtpFixedHeaderSize + 4 * static_cast<size_t>(packet[0] & 0x0F);
  if (offset > packet.size()) {
    return fail(RtpError::kCsrcOverflow);
  }
  // RFC 3550 §5.3.1: X bit means a 4-byte extension header, then `length` 32-bit words.
  if ((packet[0] & 0x10) != 0) {
    if (offset + 4 > packet.size()) {
      return fail(RtpError::kExtensionOverflow);
    }
    const uint16_t profile = readU16(&packet[offset]);
    const size_t length = 4 * size_t{readU16(&packet[offset + 2])};
    if (offset + 4 + length > packet.size()) {
      return fail(RtpError::kExtensionOverflow);
    }
    if (profile == kOneByteExtensionProfile) {
      view.extensionKind_ = ExtensionKind::kOneByte;
    } else if ((profile & 0xFFF0) == kTwoByteExtensionProfile) {
      view.extensionKind_ = ExtensionKind::kTwoByte;
    } else {
      view.extensionKind_ = ExtensionKind::kOther;
    }
    view.extensionOffset_ = static_cast<uint16_t>(offset + 4);
    view.extensionLength_ = static_cast<uint16_t>(length);
    offset += 4 + length;
  }
  view.headerSize_ = static_cast<uint16_t>(offset);
  // RFC 3550 §5.1: the last padding octet counts the padding octets, itself included.
  if ((packet[0] & 0x20) != 0) {
    const uint8_t padding = packet[packet.size() - 1];
    if (padding == 0 || offset + padding > packet.size()) {
      return fail(RtpError::kBadPadding);
    }
    view.paddingSize_ = padding;
  }
  return view;
}

uint16_t RtpPacketView::extensionProfile() const {
  if (extensionKind_ == ExtensionKind::kNone) {
    return 0;
  }
  return readU16(&data_[extensionOffset_ - 4]);
}

std::optional<RtpPacketView::Span> RtpPacketView::findExtension(uint8_t id) const {
  if (id == 0) {
    return std::nullopt;
  }
  const uint8_t* p = data_.data() + extensionOffset_;
  const size_t n = extensionLength_;
  size_t i = 0;
  if (extensionKind_ == ExtensionKind::kOneByte) {
    if (id > 14) {
      return std::nullopt;
    }
    while (i < n) {
      const uint8_t elementId = p[i] >> 4;
      if (elementId == 0) {  // RFC 8285 §4.2: a padding byte, skip it.
        ++i;
        continue;
      }
      // RFC 8285 §4.2: ID 15 is reserved; processing of the whole block stops there.
      if (elementId == 15) {
        return std::nullopt;
      }
      const size_t length = static_cast<size_t>(p[i] & 0x0F) + 1;
      if (i + 1 + length > n) {
        return std::nullopt;
      }
      if (elementId == id) {
        return Span{extensionOffset_ + i + 1, length};
      }
      i += 1 + length;
    }
  } else if (extensionKind_ == ExtensionKind::kTwoByte) {
    while (i < n) {
      const uint8_t elementId = p[i];
      if (elementId == 0) {  // RFC 8285 §4.3: a single padding byte.
        ++i;
        continue;
      }
      if (i + 2 > n) {
        return std::nullopt;
      }
      const size_t length = p[i + 1];
      if (i + 2 + length > n) {
        return std::nullopt;
      }
      if (elementId == id) {
        return Span{extensionOffset_ + i + 2, length};
      }
      i += 2 + length;
    }
  }
  return std::nullopt;
}

std::optional<ByteView> RtpPacketView::extension(uint8_t id) const {
  const auto span = findExtension(id);
  if (!span) {
    return std::nullopt;
  }
  return ByteView(data_).subspan(span->offset, span->length);
}

std::optional<std::string_view> RtpPacketView::mid(uint8_t id) const {
  const auto ext = extension(id);
  if (!ext || ext->empty()) {
    return std::nullopt;
  }
  // Some senders pad the value with NULs to a word boundary; those are not part of it.
  size_t length = ext->size();
  while (length > 0 && (*ext)[length - 1] == 0) {
    --length;
  }
  if (length == 0) {
    return std::nullopt;
  }
  return std::string_view(reinterpret_cast<const char*>(ext->data()), length);
}

std::optional<uint32_t> RtpPacketView::absSendTime(uint8_t id) const {
  const auto ext = extension(id);
  if (!ext || ext->size() != 3) {
    return std::nullopt;
  }
  return readU24(ext->data());
}

std::optional<uint16_t> RtpPacketView::transportSequenceNumber(uint8_t id) const {
  const auto ext = extension(id);
  // The transport-cc v2 form appends 2 feedback-request bytes; the number comes first.
  if (!ext || (ext->size() != 2 && ext->size() != 4)) {
    return std::nullopt;
  }
  return readU16(ext->data());
}

std::optional<AudioLevel> RtpPacketView::audioLevel(uint8_t id) const {
  const auto ext = extension(id);
  if (!ext || ext->empty()) {
    return std::nullopt;
  }
  // RFC 6464 §3: V bit then a 7-bit level. The one-byte form may be padded to 4 bytes.
  const uint8_t b = (*ext)[0];
  return AudioLevel{(b & 0x80) != 0, static_cast<uint8_t>(b & 0x7F)};
}

bool RtpPacketView::setTransportSequenceNumber(uint8_t id, uint16_t value) {
  const auto span = findExtension(id);
  if (!span || (span->length != 2 && span->length != 4)) {
    return false;
  }
  writeU16(&data_[span->offset], value);
  return true;
}

}  // namespace medrtc::rtp
