#include "rtp/transport_extensions.hpp"

#include <cstring>

namespace medrtc::rtp {

size_t writeWithTransportExtensions(ByteView packet, MutableByteView out, const TransportExtensions& ext) {
  constexpr size_t kFixed = 12;
  if (packet.size() < kFixed || (packet[0] >> 6) != 2) {
    return 0;
  }
  size_t csrcEnd = kFixed + 4 * size_t{static_cast<uint8_t>(packet[0] & 0x0F)};
  if (csrcEnd > packet.size()) {
    return 0;
  }
  size_t payloadStart = csrcEnd;
  if ((packet[0] & 0x10) != 0) {
    if (csrcEnd + 4 > packet.size()) {
      return 0;
    }
    payloadStart = csrcEnd + 4 + 4 * size_t{readU16(&packet[csrcEnd + 2])};
    if (payloadStart > packet.size()) {
      return 0;
    }
  }
  // One-byte elements: a header byte (id << 4 | length - 1) then the data.
  size_t elements = (ext.absSendTimeId != 0 ? 4 : 0) + (ext.transportCcId != 0 ? 3 : 0);
  size_t blockWords = (elements + 3) / 4;
  size_t block = elements == 0 ? 0 : 4 + 4 * blockWords;
  size_t total = csrcEnd + block + (packet.size() - payloadStart);
  if (total > out.size()) {
    return 0;
  }
  std::memcpy(out.data(), packet.data(), csrcEnd);
  uint8_t* p = out.data() + csrcEnd;
  if (block == 0) {
    out[0] = static_cast<uint8_t>(out[0] & ~0x10);
  } else {
    out[0] = static_cast<uint8_t>(out[0] | 0x10);
    writeU16(p, 0xBEDE);
    writeU16(p + 2, static_cast<uint16_t>(blockWords));
    uint8_t* e = p + 4;
    if (ext.absSendTimeId != 0) {
      *e++ = static_cast<uint8_t>(ext.absSendTimeId << 4 | 2);
      *e++ = static_cast<uint8_t>(ext.absSendTime >> 16);
      *e++ = static_cast<uint8_t>(ext.absSendTime >> 8);
      *e++ = static_cast<uint8_t>(ext.absSendTime);
    }
    if (ext.transportCcId != 0) {
      *e++ = static_cast<uint8_t>(ext.transportCcId << 4 | 1);
      writeU16(e, ext.transportSequence);
      e += 2;
    }
    std::memset(e, 0, static_cast<size_t>(p + block - e));  // RFC 8285 §4.2: padding bytes are 0
  }
  std::memcpy(p + block, packet.data() + payloadStart, packet.size() - payloadStart);
  return total;
}

}  // namespace medrtc::rtp
