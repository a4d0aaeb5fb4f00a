#pragma once
// The header extensions a sender writes for congestion control on its own hop: abs-send-time
// (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time) and the transport-wide
// sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).
//
// The SFU forwards publishers' packets, whose extension blocks use the publisher's ids.
// Toward a subscriber it replaces the whole block with one that holds only these two, under
// the ids that subscriber negotiated: nothing of another participant's id map leaks into
// its stream, and the receiver's transport-cc feedback numbers packets of this hop.
#include <cstddef>
#include <cstdint>

#include "common/bytes.hpp"

namespace medrtc::rtp {

struct TransportExtensions {
  uint8_t absSendTimeId = 0;  // 0: not written
  uint32_t absSendTime = 0;   // 24 bits, 6.18 fixed-point seconds
  uint8_t transportCcId = 0;  // 0: not written
  uint16_t transportSequence = 0;
};

// abs-send-time of a monotonic time in microseconds (6.18 fixed point, wraps every 64 s).
inline uint32_t absSendTimeOf(int64_t micros) {
  return static_cast<uint32_t>(((micros << 18) / 1'000'000) & 0xFFFFFF);
}

// Copies the RTP packet `packet` into `out` with its extension block (if any) replaced by a
// one-byte-form block (RFC 8285 §4.2) carrying `ext`; with both ids 0 the packet has no
// extension block. CSRCs, payload and padding are kept. Returns the new size, or 0 when the
// packet is malformed or `out` is too small.
size_t writeWithTransportExtensions(ByteView packet, MutableByteView out, const TransportExtensions& ext);

}  // namespace medrtc::rtp
