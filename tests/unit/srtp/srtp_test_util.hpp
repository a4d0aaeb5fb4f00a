#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace medrtc::srtp::test {

inline std::vector<uint8_t> fromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) -> uint8_t {
    if (c >= '0' && c <= '9') {
      return static_cast<uint8_t>(c - '0');
    }
    return static_cast<uint8_t>((c | 0x20) - 'a' + 10);
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

// A minimal RTP packet (RFC 3550 §5.1): V=2, PT=96, the given sequence number and SSRC,
// followed by a patterned payload.
inline std::vector<uint8_t> makeRtp(uint16_t seq, uint32_t ssrc, size_t payloadLength) {
  std::vector<uint8_t> p(12 + payloadLength);
  p[0] = 0x80;
  p[1] = 96;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  p[4] = 0;
  p[5] = 0;
  p[6] = 0x10;
  p[7] = 0x00;
  p[8] = static_cast<uint8_t>(ssrc >> 24);
  p[9] = static_cast<uint8_t>(ssrc >> 16);
  p[10] = static_cast<uint8_t>(ssrc >> 8);
  p[11] = static_cast<uint8_t>(ssrc);
  for (size_t i = 12; i < p.size(); ++i) {
    p[i] = static_cast<uint8_t>(i * 7);
  }
  return p;
}

// An RTCP receiver report with no report blocks (RFC 3550 §6.4.2) plus padding-free body.
inline std::vector<uint8_t> makeRtcpSenderReport(uint32_t ssrc) {
  std::vector<uint8_t> p(28, 0);
  p[0] = 0x80;
  p[1] = 200;  // SR
  p[3] = 6;    // length in 32-bit words minus one
  p[4] = static_cast<uint8_t>(ssrc >> 24);
  p[5] = static_cast<uint8_t>(ssrc >> 16);
  p[6] = static_cast<uint8_t>(ssrc >> 8);
  p[7] = static_cast<uint8_t>(ssrc);
  for (size_t i = 8; i < p.size(); ++i) {
    p[i] = static_cast<uint8_t>(i);
  }
  return p;
}

}  // namespace medrtc::srtp::test
