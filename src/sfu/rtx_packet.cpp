#include "sfu/rtx_packet.hpp"

#include <cstring>

namespace medrtc::sfu {

size_t writeRtxPacket(ByteView original, uint16_t osn, MutableByteView out) {
  constexpr size_t kFixedHeader = 12;
  if (original.size() < kFixedHeader || (original[0] >> 6) != 2) {
    return 0;
  }
  size_t header = kFixedHeader + 4 * static_cast<size_t>(original[0] & 0x0F);
  if ((original[0] & 0x10) != 0) {  // RFC 3550 §5.3.1 header extension
    if (original.size() < header + 4) {
      return 0;
    }
    header += 4 + 4 * static_cast<size_t>(readU16(&original[header + 2]));
  }
  size_t padding = 0;
  if ((original[0] & 0x20) != 0) {
    padding = original.back();
  }
  if (original.size() < header + padding) {
    return 0;
  }
  size_t payload = original.size() - header - padding;
  size_t size = header + 2 + payload;
  if (out.size() < size) {
    return 0;
  }
  std::memcpy(out.data(), original.data(), header);
  out[0] = static_cast<uint8_t>(out[0] & ~0x20);  // no padding
  writeU16(&out[header], osn);
  std::memcpy(out.data() + header + 2, original.data() + header, payload);
  return size;
}

}  // namespace medrtc::sfu
