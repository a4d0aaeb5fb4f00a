#include "rtp/rtp_packet_builder.hpp"

#include <cstring>

#include "rtp/rtp_packet_view.hpp"

namespace medrtc::rtp {

RtpPacketBuilder& RtpPacketBuilder::addCsrc(uint32_t csrc) {
  if (csrcCount_ < kMaxCsrcs) {
    csrcs_[csrcCount_++] = csrc;
  }
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::addExtension(uint8_t id, ByteView data) {
  // Id 0 is padding in both forms and 255 bytes is the two-byte form's limit.
  if (id == 0 || data.size() > 255 || extensionCount_ == kMaxExtensions) {
    badExtension_ = true;
    return *this;
  }
  extensions_[extensionCount_++] = Extension{id, data};
  return *this;
}

bool RtpPacketBuilder::useTwoByteForm() const {
  for (size_t i = 0; i < extensionCount_; ++i) {
    const auto& e = extensions_[i];
    if (e.id > 14 || e.data.empty() || e.data.size() > 16) {
      return true;
    }
  }
  return false;
}

size_t RtpPacketBuilder::extensionBlockSize() const {
  if (extensionCount_ == 0) {
    return 0;
  }
  const size_t perElement = useTwoByteForm() ? 2 : 1;
  size_t elements = 0;
  for (size_t i = 0; i < extensionCount_; ++i) {
    elements += perElement + extensions_[i].data.size();
  }
  return 4 + (elements + 3) / 4 * 4;  // RFC 8285 §4.1: padded to a 32-bit boundary.
}

size_t RtpPacketBuilder::sizeFor(size_t payloadSize) const {
  return kRtpFixedHeaderSize + 4 * size_t{csrcCount_} + extensionBlockSize() + payloadSize + padding_;
}

Result<size_t, RtpError> RtpPacketBuilder::write(MutableByteView out, ByteView payload) const {
  if (badExtension_) {
    return fail(RtpError::kBadExtension);
  }
  const size_t total = sizeFor(payload.size());
  if (total > out.size()) {
    return fail(RtpError::kBufferTooSmall);
  }
  uint8_t* p = out.data();
  p[0] = static_cast<uint8_t>(0x80 | (padding_ != 0 ? 0x20 : 0) | (extensionCount_ != 0 ? 0x10 : 0) | csrcCount_);
  p[1] = static_cast<uint8_t>((marker_ ? 0x80 : 0) | payloadType_);
  writeU16(p + 2, sequenceNumber_);
  writeU32(p + 4, timestamp_);
  writeU32(p + 8, ssrc_);
  size_t offset = kRtpFixedHeaderSize;
  for (size_t i = 0; i < csrcCount_; ++i) {
    writeU32(p + offset, csrcs_[i]);
    offset += 4;
  }
  if (extensionCount_ != 0) {
    const bool twoByte = useTwoByteForm();
    const size_t blockSize = extensionBlockSize();
    writeU16(p + offset, twoByte ? kTwoByteExtensionProfile : kOneByteExtensionProfile);
    writeU16(p + offset + 2, static_cast<uint16_t>((blockSize - 4) / 4));
    const size_t end = offset + blockSize;
    offset += 4;
    for (size_t i = 0; i < extensionCount_; ++i) {
      const auto& e = extensions_[i];
      if (twoByte) {
        p[offset++] = e.id;
        p[offset++] = static_cast<uint8_t>(e.data.size());
      } else {
        p[offset++] = static_cast<uint8_t>((e.id << 4) | (e.data.size() - 1));
      }
      if (!e.data.empty()) {
        std::memcpy(p + offset, e.data.data(), e.data.size());
      }
      offset += e.data.size();
    }
    std::memset(p + offset, 0, end - offset);  // padding bytes (id 0)
    offset = end;
  }
  if (!payload.empty()) {
    std::memcpy(p + offset, payload.data(), payload.size());
  }
  offset += payload.size();
  if (padding_ != 0) {
    std::memset(p + offset, 0, padding_ - 1u);
    p[offset + padding_ - 1] = padding_;
    offset += padding_;
  }
  return offset;
}

}  // namespace medrtc::rtp
