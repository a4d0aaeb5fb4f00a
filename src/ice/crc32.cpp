#include "ice/crc32.hpp"

#include <array>

namespace medrtc::ice {
namespace {

constexpr std::array<uint32_t, 256> makeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) {
      c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    }
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = makeTable();

}  // namespace

uint32_t crc32(ByteView data, uint32_t crc) {
  crc = ~crc;
  for (uint8_t b : data) {
    crc = kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  }
  return ~crc;
}

}  // namespace medrtc::ice
