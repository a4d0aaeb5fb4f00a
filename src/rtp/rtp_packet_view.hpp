#pragma once
// RtpPacketView: a zero-copy view over one RTP packet (RFC 3550 §5.1) with its RFC 8285
// header extensions. Parsing validates every length once; accessors afterwards are plain
// loads. Setters rewrite the header in place, which is what an SFU consumer does before
// SRTP-protecting its copy. The view never allocates and never owns the bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "rtp/rtp_error.hpp"

namespace medrtc::rtp {

inline constexpr size_t kRtpFixedHeaderSize = 12;
// RFC 8285 §4.2 / §4.3: "defined by profile" values of the two extension forms.
inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;  // low 4 bits are appbits

// urn:ietf:params:rtp-hdrext:ssrc-audio-level (RFC 6464 §3).
struct AudioLevel {
  bool voiceActivity = false;
  uint8_t level = 0;  // -dBov, 0 (loudest) .. 127 (silence)
};

class RtpPacketView {
 public:
  static Result<RtpPacketView, RtpError> parse(MutableByteView packet);

  bool marker() const { return (data_[1] & 0x80) != 0; }
  uint8_t payloadType() const { return data_[1] & 0x7F; }
  uint16_t sequenceNumber() const { return readU16(&data_[2]); }
  uint32_t timestamp() const { return readU32(&data_[4]); }
  uint32_t ssrc() const { return readU32(&data_[8]); }
  uint8_t csrcCount() const { return data_[0] & 0x0F; }
  uint32_t csrc(size_t i) const { return readU32(&data_[kRtpFixedHeaderSize + 4 * i]); }
  bool hasPadding() const { return paddingSize_ != 0; }
  bool hasExtension() const { return extensionKind_ != ExtensionKind::kNone; }
  // The 16-bit "defined by profile" field of the extension block (0 if none).
  uint16_t extensionProfile() const;

  // Fixed header + CSRCs + extension block.
  size_t headerSize() const { return headerSize_; }
  size_t paddingSize() const { return paddingSize_; }
  size_t size() const { return data_.size(); }
  // The media payload without RTP padding.
  ByteView payload() const { return ByteView(data_).subspan(headerSize_, data_.size() - headerSize_ - paddingSize_); }
  MutableByteView mutablePayload() { return data_.subspan(headerSize_, data_.size() - headerSize_ - paddingSize_); }
  ByteView bytes() const { return data_; }

  void setMarker(bool m) { data_[1] = static_cast<uint8_t>((data_[1] & 0x7F) | (m ? 0x80 : 0)); }
  void setPayloadType(uint8_t pt) { data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | (pt & 0x7F)); }
  void setSequenceNumber(uint16_t seq) { writeU16(&data_[2], seq); }
  void setTimestamp(uint32_t ts) { writeU32(&data_[4], ts); }
  void setSsrc(uint32_t ssrc) { writeU32(&data_[8], ssrc); }

  // The data of header extension element `id`, found by scanning the extension block
  // (RFC 8285 §4.2 one-byte or §4.3 two-byte form). A malformed element ends the scan.
  std::optional<ByteView> extension(uint8_t id) const;

  // Typed readers for the extensions an SFU reads; `id` is the negotiated extmap id.
  // urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843 §15.2).
  std::optional<std::string_view> mid(uint8_t id) const;
  // urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id and repaired-rtp-stream-id (RFC 8852
  // §3): the same SDES item encoding as the MID.
  std::optional<std::string_view> rid(uint8_t id) const { return mid(id); }
  // http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time: 24-bit 6.18 fixed point s.
  std::optional<uint32_t> absSendTime(uint8_t id) const;
  // draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: 16-bit transport-wide seq.
  std::optional<uint16_t> transportSequenceNumber(uint8_t id) const;
  std::optional<AudioLevel> audioLevel(uint8_t id) const;

  // Rewrites the transport-wide sequence number in place; false if the extension is absent
  // or has the wrong length.
  bool setTransportSequenceNumber(uint8_t id, uint16_t value);

 private:
  enum class ExtensionKind : uint8_t { kNone, kOneByte, kTwoByte, kOther };

  // Offset and length of an element's data within data_, or nullopt.
  struct Span {
    size_t offset;
    size_t length;
  };
  std::optional<Span> findExtension(uint8_t id) const;

  RtpPacketView() = default;

  MutableByteView data_;
  uint16_t headerSize_ = 0;
  uint16_t extensionOffset_ = 0;  // first byte of the extension elements
  uint16_t extensionLength_ = 0;  // bytes of extension elements
  uint8_t paddingSize_ = 0;
  ExtensionKind extensionKind_ = ExtensionKind::kNone;
};

}  // namespace medrtc::rtp
