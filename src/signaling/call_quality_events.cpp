// SignalingHub's handling of the media plane's call-quality events (issue 12 items 6-7).
#include "signaling/message/quality_messages.hpp"
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

void SignalingHub::onActiveSpeaker(const std::string& roomId, const std::string& participantId) {
  // The report may arrive just after the speaker left: a stale name would highlight no
  // tile on the clients, but says nothing true either.
  Connection* speaker = byParticipant(participantId);
  if (speaker == nullptr || speaker->roomId != roomId || speaker->state != State::kJoined) {
    return;
  }
  activeSpeakers_[roomId] = participantId;
  broadcast(roomId, /*exceptParticipant=*/"", activeSpeakerMessage(participantId));
}

void SignalingHub::tellActiveSpeaker(Connection& c) {
  auto speaker = activeSpeakers_.find(c.roomId);
  if (speaker == activeSpeakers_.end()) {
    return;
  }
  Connection* s = byParticipant(speaker->second);
  if (s == nullptr || s->roomId != c.roomId || s->state != State::kJoined) {
    activeSpeakers_.erase(speaker);  // gone since: the next change names someone else
    return;
  }
  c.socket->sendText(activeSpeakerMessage(speaker->second));
}

void SignalingHub::onQualityReport(const std::string& roomId, std::vector<sfu::ParticipantQuality> figures) {
  auto members = rooms_.find(roomId);
  if (members == rooms_.end() || members->second.empty()) {
    quality_.forgetRoom(roomId);
    if (history_ != nullptr) {
      history_->roomEnded(roomId);
    }
    return;
  }
  // Only participants still in the call: the worker's report crossed a leave.
  std::erase_if(figures, [&](const sfu::ParticipantQuality& q) { return !members->second.contains(q.participantId); });
  if (figures.empty()) {
    return;
  }
  int64_t now = nowSeconds();
  quality_.record(roomId, figures, now);
  if (history_ != nullptr) {
    // Every member of a room has its tenant.
    history_->record(roomId, connections_.at(members->second.begin()->second).tenantId, figures, now);
  }
  // A link rated poor (E-model score at or below 40, docs/call-quality.md) is worth telling
  // the practice's systems about: a `quality_alert` webhook, at most one per participant a
  // minute (qualityAlert keeps that bound).
  for (const sfu::ParticipantQuality& q : figures) {
    if (q.rating == sfu::QualityRating::kPoor) {
      qualityAlert(q.participantId, webhooks::QualityFigures{q.lossPercent / 100.0, q.rttMs, q.mos});
    }
  }
  // Hosts see a small indicator per tile; guests are not told about each other's links.
  std::string text = networkQualityMessage(figures);
  for (auto& [pid, id] : members->second) {
    Connection& c = connections_.at(id);
    if (isHost(c)) {
      c.socket->sendText(text);
    }
  }
}

}  // namespace medrtc::signaling
