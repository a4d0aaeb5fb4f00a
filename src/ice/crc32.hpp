#pragma once
// CRC-32 as used by zlib and Ethernet (reflected polynomial 0xEDB88320), which is the CRC
// RFC 8489 §14.7 names for FINGERPRINT. Incremental: crc32(b, crc32(a)) == crc32(a ++ b).
#include <cstdint>

#include "common/bytes.hpp"

namespace medrtc::ice {

uint32_t crc32(ByteView data, uint32_t crc = 0);

}  // namespace medrtc::ice
