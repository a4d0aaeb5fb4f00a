#pragma once
// Payloads of the synthetic media a load-generating client sends. Nothing here is decodable
// audio or video; it is shaped so that an SFU's parsers see real structure (RFC 7741 VP8
// payload descriptor, VP8 frame tag, keyframe start code) and so that the receiver can
// measure one-way added latency.
//
// Embedded send time (8 bytes, big-endian): the top byte is the tag 0x4D ('M'), the low
// 56 bits the sender's clock in µs (medrtc::Clock::now(), i.e. CLOCK_MONOTONIC with
// SystemClock, which every process on one host shares). The tag lets a receiver ignore
// payloads that did not come from this generator (a browser's real VP8).
//
// VP8 RTP payload, every packet of a frame:
//   VP8 payload descriptor, 4 bytes (RFC 7741 §4.2): X=1, S=1 on the first packet of the
//       frame else 0, PID=0; I=1; M=1 with a 15-bit PictureID that increments per frame
//   [first packet only] VP8 payload header (RFC 7741 §4.3, RFC 6386 §9.1): 3-byte frame
//       tag with P=0 on keyframes, P=1 otherwise; on keyframes 7 more bytes: start code
//       9d 01 2a, width and height (16-bit little-endian, scale bits 0)
//   send time, 8 bytes (above)
//   filler up to the packet's share of the frame
// So the send time starts right after the descriptor, except in a frame's first packet,
// where it follows the 3- or 10-byte VP8 payload header (whose P bit says which).
//
// Opus RTP payload: one TOC byte (RFC 6716 §3.1: config 15 = CELT FB 20 ms, mono, one frame),
// the 8-byte send time, filler.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/bytes.hpp"
#include "common/clock.hpp"

namespace medrtc::client {

inline constexpr size_t kSendTimeSize = 8;
inline constexpr uint8_t kSendTimeTag = 0x4D;
inline constexpr size_t kVp8DescriptorSize = 4;
inline constexpr size_t kVp8InterframeHeaderSize = 3;
inline constexpr size_t kVp8KeyframeHeaderSize = 10;
inline constexpr uint8_t kOpusToc = 0x78;  // config 15, s=0 (mono), c=0 (one frame)

void writeSendTime(uint8_t* out, Micros sendTime);
std::optional<Micros> readSendTime(const uint8_t* in);

// The send time inside a VP8 RTP payload laid out as above; nullopt if the payload is too
// short, its descriptor does not parse, or the tag is missing.
std::optional<Micros> readVp8SendTime(ByteView rtpPayload);
std::optional<Micros> readOpusSendTime(ByteView rtpPayload);

// Writes an Opus payload of `size` bytes (at least 1 + kSendTimeSize; clamped up) into
// `out`; returns its size, or 0 if `out` is too small.
size_t writeOpusPayload(MutableByteView out, Micros sendTime, size_t size);

// Splits one synthetic VP8 frame into RTP payloads of at most `maxPayload` bytes, of about
// equal size (as libwebrtc's packetizer does, so no runt last packet).
class Vp8FramePacketizer {
 public:
  struct Frame {
    bool keyframe = false;
    uint16_t pictureId = 0;  // 15 bits used
    uint16_t width = 1280;
    uint16_t height = 720;
    Micros sendTime{0};
    size_t frameBytes = 0;  // VP8 bitstream bytes (header included); raised to the header size
  };

  Vp8FramePacketizer(const Frame& frame, size_t maxPayload);

  size_t packetCount() const { return packetCount_; }
  // Writes packet `index` (0-based) into `out`; returns its size, 0 if `out` is too small or
  // index is out of range.
  size_t write(size_t index, MutableByteView out) const;

 private:
  size_t headerSize() const { return frame_.keyframe ? kVp8KeyframeHeaderSize : kVp8InterframeHeaderSize; }

  Frame frame_;
  size_t packetCount_ = 0;
  size_t chunk_ = 0;  // frame bytes per packet (the last may carry fewer)
};

}  // namespace medrtc::client
