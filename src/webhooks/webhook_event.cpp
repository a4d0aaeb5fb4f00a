#include "webhooks/webhook_event.hpp"

#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace medrtc::webhooks {

namespace json = boost::json;

namespace {

constexpr std::array kTypes{
    EventType::kRoomStarted,        EventType::kRoomFinished, EventType::kParticipantJoined,
    EventType::kParticipantLeft,    EventType::kWaitingRoomEntered, EventType::kAdmitted,
    EventType::kDenied,             EventType::kConsultationEnded,  EventType::kQualityAlert,
};

// RFC 3339 UTC with milliseconds: two events of one second keep their order.
std::string rfc3339Millis(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

double rounded(double v, double step) { return std::round(v / step) * step; }

}  // namespace

std::string_view eventTypeName(EventType type) {
  switch (type) {
    case EventType::kRoomStarted: return "room_started";
    case EventType::kRoomFinished: return "room_finished";
    case EventType::kParticipantJoined: return "participant_joined";
    case EventType::kParticipantLeft: return "participant_left";
    case EventType::kWaitingRoomEntered: return "waiting_room_entered";
    case EventType::kAdmitted: return "admitted";
    case EventType::kDenied: return "denied";
    case EventType::kConsultationEnded: return "consultation_ended";
    case EventType::kQualityAlert: return "quality_alert";
  }
  return "unknown";
}

std::optional<EventType> parseEventType(std::string_view name) {
  for (EventType t : kTypes) {
    if (eventTypeName(t) == name) {
      return t;
    }
  }
  return std::nullopt;
}

std::span<const EventType> allEventTypes() { return kTypes; }

std::string eventBody(const Event& e, bool includeNames) {
  json::object data{{"room_id", e.roomId}, {"tenant_id", e.tenantId}};
  if (!e.participantId.empty()) {
    data["participant_id"] = e.participantId;
  }
  if (!e.role.empty()) {
    data["role"] = e.role;
  }
  if (!e.by.empty()) {
    data["by_participant_id"] = e.by;
  }
  if (!e.reason.empty()) {
    data["reason"] = e.reason;
  }
  if (e.quality) {
    data["loss"] = rounded(e.quality->loss, 0.0001);
    data["rtt_ms"] = rounded(e.quality->rttMs, 0.1);
    data["score"] = rounded(e.quality->score, 0.01);
  }
  if (includeNames) {
    if (!e.name.empty()) {
      data["name"] = e.name;
    }
    if (!e.identity.empty()) {
      data["identity"] = e.identity;
    }
  }
  return json::serialize(json::object{
      {"type", eventTypeName(e.type)}, {"timestamp", rfc3339Millis(e.occurredAtMs)}, {"data", std::move(data)}});
}

}  // namespace medrtc::webhooks
