// SignalingHub's view of the live consultations for the admin dashboard (issue 15 item 6).
#include <algorithm>

#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

std::vector<SignalingHub::LiveConsultation> SignalingHub::liveConsultations(const std::string& tenantId) const {
  std::map<std::string, LiveConsultation> byRoom;  // ordered: a stable listing
  // An empty tenant is the node operator's integrator rooms: never a practice's.
  if (tenantId.empty()) {
    return {};
  }
  for (const auto& [roomId, members] : rooms_) {
    for (const auto& [pid, id] : members) {
      const Connection& c = connections_.at(id);
      if (c.tenantId != tenantId) {
        continue;
      }
      LiveConsultation& live = byRoom[roomId];
      live.roomId = roomId;
      ++live.participants;
      if (c.joinedAt != 0 && (live.startedAt == 0 || c.joinedAt < live.startedAt)) {
        live.startedAt = c.joinedAt;
      }
    }
  }
  for (const auto& [roomId, waiting] : queues_) {
    for (ConnectionId id : waiting) {
      const Connection& c = connections_.at(id);
      if (c.tenantId != tenantId) {
        continue;
      }
      LiveConsultation& live = byRoom[roomId];
      live.roomId = roomId;
      live.waitingSince.push_back(c.waitingSince);
    }
  }
  std::vector<LiveConsultation> out;
  for (auto& [roomId, live] : byRoom) {
    std::sort(live.waitingSince.begin(), live.waitingSince.end());
    out.push_back(std::move(live));
  }
  return out;
}

bool SignalingHub::tenantRoomLive(const std::string& tenantId, const std::string& roomId) const {
  for (const LiveConsultation& live : liveConsultations(tenantId)) {
    if (live.roomId == roomId) {
      return true;
    }
  }
  return false;
}

}  // namespace medrtc::signaling
