#pragma once
// Audio first (issue 12 item 5): which outgoing RTP packets go ahead of the others in a
// send batch (net::UdpSocket::flush). Decided by the canonical payload type the consumer
// writes, so neither the consumer nor the transport needs to carry a media kind around:
// audio on the subscriber side is always the canonical opus PT (sdp/server_capabilities).
#include <cstdint>

#include "net/udp_socket.hpp"

namespace medrtc::sfu {

inline constexpr uint8_t kCanonicalOpusPayloadType = 111;

inline net::SendPriority sendPriorityOf(uint8_t canonicalPayloadType) {
  return canonicalPayloadType == kCanonicalOpusPayloadType ? net::SendPriority::kUrgent
                                                           : net::SendPriority::kNormal;
}

}  // namespace medrtc::sfu
