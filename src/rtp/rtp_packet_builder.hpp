#pragma once
// RtpPacketBuilder: writes an RTP packet (RFC 3550 §5.1) with optional RFC 8285 header
// extensions into a caller buffer. For tests, the load generator and RTCP-less probes;
// the SFU itself rewrites received packets in place instead.
#include <array>
#include <cstddef>
#include <cstdint>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "rtp/rtp_error.hpp"

namespace medrtc::rtp {

class RtpPacketBuilder {
 public:
  static constexpr size_t kMaxExtensions = 16;
  static constexpr size_t kMaxCsrcs = 15;

  RtpPacketBuilder& payloadType(uint8_t pt) {
    payloadType_ = pt & 0x7F;
    return *this;
  }
  RtpPacketBuilder& marker(bool m) {
    marker_ = m;
    return *this;
  }
  RtpPacketBuilder& sequenceNumber(uint16_t seq) {
    sequenceNumber_ = seq;
    return *this;
  }
  RtpPacketBuilder& timestamp(uint32_t ts) {
    timestamp_ = ts;
    return *this;
  }
  RtpPacketBuilder& ssrc(uint32_t ssrc) {
    ssrc_ = ssrc;
    return *this;
  }
  // Extra CSRCs beyond kMaxCsrcs are ignored (CC is a 4-bit field).
  RtpPacketBuilder& addCsrc(uint32_t csrc);
  // The data must outlive write(). The one-byte form (RFC 8285 §4.2) is used when every
  // element has id 1..14 and 1..16 bytes of data, otherwise the two-byte form (§4.3).
  RtpPacketBuilder& addExtension(uint8_t id, ByteView data);
  // RFC 3550 §5.1 padding: `bytes` octets (1..255), the last one holding the count.
  RtpPacketBuilder& padding(uint8_t bytes) {
    padding_ = bytes;
    return *this;
  }

  // Bytes write() will produce for a payload of `payloadSize` bytes.
  size_t sizeFor(size_t payloadSize) const;
  // Writes header, extensions, payload and padding; returns the packet size.
  Result<size_t, RtpError> write(MutableByteView out, ByteView payload) const;

 private:
  struct Extension {
    uint8_t id;
    ByteView data;
  };
  bool useTwoByteForm() const;
  size_t extensionBlockSize() const;

  uint8_t payloadType_ = 0;
  bool marker_ = false;
  uint16_t sequenceNumber_ = 0;
  uint32_t timestamp_ = 0;
  uint32_t ssrc_ = 0;
  uint8_t padding_ = 0;
  uint8_t csrcCount_ = 0;
  uint8_t extensionCount_ = 0;
  bool badExtension_ = false;
  std::array<uint32_t, kMaxCsrcs> csrcs_{};
  std::array<Extension, kMaxExtensions> extensions_{};
};

}  // namespace medrtc::rtp
