#pragma once
#include <cstddef>

namespace medrtc::signaling {

// Caps on participants (issue 10 item 9): a participant is a socket past `join` —
// waiting, joining or in the call. A join over a cap is refused with `capacity_reached`
// (docs/protocol.md). Rooms without a tenant (node-operator rooms) count as one tenant.
struct ParticipantLimits {
  size_t perRoom = 25;
  size_t perTenant = 500;
  size_t perNode = 1000;
};

}  // namespace medrtc::signaling
