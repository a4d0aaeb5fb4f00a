#include "signaling/call_quality_board.hpp"

#include <algorithm>

namespace medrtc::signaling {

RoomQualitySample summarize(const std::vector<sfu::ParticipantQuality>& figures, int64_t at) {
  RoomQualitySample s;
  s.at = at;
  s.participants = figures.size();
  bool first = true;
  for (const auto& q : figures) {
    s.lossPercent = std::max(s.lossPercent, q.lossPercent);
    s.rttMs = std::max(s.rttMs, q.rttMs);
    s.jitterMs = std::max(s.jitterMs, q.jitterMs);
    s.bitrateBps += q.bitrateInBps;
    s.layer = first ? q.layer : std::min(s.layer, q.layer);
    s.freezeCount += q.freezeCount;
    s.score = std::min(s.score, q.score);
    first = false;
  }
  return s;
}

void CallQualityBoard::record(const std::string& roomId, const std::vector<sfu::ParticipantQuality>& figures,
                              int64_t now) {
  Room& room = rooms_[roomId];
  room.latest = figures;
  room.ring.push_back(summarize(figures, now));
  while (room.ring.size() > kMaxSamples) {
    room.ring.pop_front();
  }
}

void CallQualityBoard::forgetParticipant(const std::string& participantId) {
  for (auto& [id, room] : rooms_) {
    std::erase_if(room.latest, [&](const sfu::ParticipantQuality& q) { return q.participantId == participantId; });
  }
}

void CallQualityBoard::forgetRoom(const std::string& roomId) { rooms_.erase(roomId); }

const std::vector<sfu::ParticipantQuality>* CallQualityBoard::latest(const std::string& roomId) const {
  auto it = rooms_.find(roomId);
  return it == rooms_.end() ? nullptr : &it->second.latest;
}

std::vector<RoomQualitySample> CallQualityBoard::samples(const std::string& roomId, int64_t since) const {
  std::vector<RoomQualitySample> out;
  auto it = rooms_.find(roomId);
  if (it == rooms_.end()) {
    return out;
  }
  for (const RoomQualitySample& s : it->second.ring) {
    if (s.at >= since) {
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace medrtc::signaling
