#pragma once
// VP8 RTP payload descriptor (RFC 7741 §4.2) and keyframe detection (§4.3), so the SFU can
// tell a keyframe (a safe switching point) without decoding.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/bytes.hpp"

namespace medrtc::rtp {

struct Vp8PayloadDescriptor {
  bool nonReference = false;     // N
  bool startOfPartition = false; // S
  uint8_t partitionIndex = 0;    // PID
  bool hasPictureId = false;     // I
  bool pictureId15Bit = false;   // M
  uint16_t pictureId = 0;
  bool hasTl0PicIdx = false;     // L
  uint8_t tl0PicIdx = 0;
  bool hasTid = false;           // T
  uint8_t tid = 0;
  bool layerSync = false;        // Y
  bool hasKeyIdx = false;        // K
  uint8_t keyIdx = 0;
  size_t size = 0;               // descriptor bytes before the VP8 payload

  // Returns nullopt when the payload is too short for the flags it announces.
  static std::optional<Vp8PayloadDescriptor> parse(ByteView payload);
};

// True for the first packet of a VP8 keyframe: S=1 and PID=0 in the descriptor, then the
// VP8 payload header's P bit (inverse key frame flag) clear (RFC 7741 §4.3).
bool isVp8Keyframe(ByteView payload);

}  // namespace medrtc::rtp
