#pragma once
// RFC 4588 §4: an RTX packet carries a retransmission on its own SSRC, sequence numbers
// and payload type, so a receiver can tell it from the original stream (and its loss and
// jitter statistics stay right). Its payload is the original sequence number (OSN) then
// the original payload; the original header (CSRCs, header extensions) is kept, padding
// is not (§4: "the RTX packet has no padding of the original").
#include <cstddef>
#include <cstdint>

#include "common/bytes.hpp"

namespace medrtc::sfu {

// Writes the RTX form of `original` (a plaintext RTP packet) into `out` with `osn` as
// the original sequence number; the caller rewrites SSRC, sequence number and payload type
// (WebRtcTransport::sendRtp). Returns its size, or 0 when `original` is not a well-formed
// RTP packet or `out` is too small.
size_t writeRtxPacket(ByteView original, uint16_t osn, MutableByteView out);

}  // namespace medrtc::sfu
