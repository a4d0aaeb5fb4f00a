// The signaling hub's webhook events (docs/operations.md "Webhooks"): ids, the role and
// a reason code; the display name and token identity ride along only for endpoints that
// opted in (the dispatcher decides per endpoint).
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

void SignalingHub::emitParticipantEvent(webhooks::EventType type, const Connection& c, const std::string& by,
                                        std::string_view reason) {
  emitEvent(participantEvent(type, c, by, reason));
}

void SignalingHub::emitEvent(webhooks::Event e) {
  if (webhooks_ != nullptr) {
    webhooks_->emit(std::move(e));
  }
}

webhooks::Event SignalingHub::participantEvent(webhooks::EventType type, const Connection& c, const std::string& by,
                                               std::string_view reason) const {
  webhooks::Event e;
  e.type = type;
  e.tenantId = c.tenantId;
  e.roomId = c.roomId;
  e.participantId = c.participantId;
  e.role = c.claims.role;
  e.by = by;
  e.reason = std::string(reason);
  e.name = c.claims.name;
  e.identity = c.claims.identity;
  return e;
}

void SignalingHub::emitRoomEvent(webhooks::EventType type, const std::string& roomId, const std::string& tenantId,
                                 const std::string& by, std::string_view reason) {
  if (webhooks_ == nullptr) {
    return;
  }
  webhooks::Event e;
  e.type = type;
  e.tenantId = tenantId;
  e.roomId = roomId;
  e.by = by;
  e.reason = std::string(reason);
  webhooks_->emit(std::move(e));
}

bool SignalingHub::anyoneJoined(const std::string& roomId) const {
  auto room = rooms_.find(roomId);
  if (room == rooms_.end()) {
    return false;
  }
  for (const auto& [pid, id] : room->second) {
    if (connections_.at(id).state == State::kJoined) {
      return true;
    }
  }
  return false;
}

void SignalingHub::qualityAlert(const std::string& participantId, const webhooks::QualityFigures& figures) {
  Connection* c = byParticipant(participantId);
  if (webhooks_ == nullptr || c == nullptr || c->state != State::kJoined) {
    return;
  }
  constexpr Micros kAlertInterval = std::chrono::minutes(1);
  Micros now = clock_.now();
  auto last = lastQualityAlert_.find(participantId);
  if (last != lastQualityAlert_.end() && now - last->second < kAlertInterval) {
    return;
  }
  // Participants who left are forgotten here, lazily: the map stays as large as the calls.
  if (lastQualityAlert_.size() > 4 * participants_.size() + 64) {
    std::erase_if(lastQualityAlert_, [this](const auto& entry) { return participants_.count(entry.first) == 0; });
  }
  lastQualityAlert_[participantId] = now;
  webhooks::Event e;
  e.type = webhooks::EventType::kQualityAlert;
  e.tenantId = c->tenantId;
  e.roomId = c->roomId;
  e.participantId = c->participantId;
  e.role = c->claims.role;
  e.quality = figures;
  e.name = c->claims.name;
  e.identity = c->claims.identity;
  webhooks_->emit(std::move(e));
}

}  // namespace medrtc::signaling
