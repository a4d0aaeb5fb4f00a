#include "rtp/h264.hpp"

#include <cstdint>

namespace medrtc::rtp {
namespace {

constexpr uint8_t kIdr = 5;
constexpr uint8_t kSps = 7;
constexpr uint8_t kStapA = 24;  // RFC 6184 §5.7.1
constexpr uint8_t kFuA = 28;    // RFC 6184 §5.8

bool isKeyNalType(uint8_t type) { return type == kIdr || type == kSps; }

}  // namespace

bool isH264Keyframe(ByteView payload) {
  if (payload.empty()) {
    return false;
  }
  const uint8_t type = payload[0] & 0x1F;
  if (type == kStapA) {
    // STAP-A: NAL header, then (16-bit size, NAL unit) repeated.
    size_t offset = 1;
    while (offset + 2 < payload.size()) {
      const size_t size = readU16(&payload[offset]);
      offset += 2;
      if (size == 0 || offset + size > payload.size()) {
        return false;
      }
      if (isKeyNalType(payload[offset] & 0x1F)) {
        return true;
      }
      offset += size;
    }
    return false;
  }
  if (type == kFuA) {
    // FU indicator, then FU header |S|E|R|Type|.
    if (payload.size() < 2) {
      return false;
    }
    const uint8_t fuHeader = payload[1];
    return (fuHeader & 0x80) != 0 && isKeyNalType(fuHeader & 0x1F);
  }
  return isKeyNalType(type);
}

}  // namespace medrtc::rtp
