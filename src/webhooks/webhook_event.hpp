#pragma once
// The events a webhook endpoint can subscribe to and the JSON body each becomes
// (docs/operations.md "Webhooks"). Bodies carry ids only; the participant's display name
// and token identity appear only for an endpoint that opted in (include_names).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace medrtc::webhooks {

enum class EventType {
  kRoomStarted,          // the first participant entered the call of a room
  kRoomFinished,         // the last participant left the call
  kParticipantJoined,    // a participant is in the call (after an admit, too)
  kParticipantLeft,      // a participant left the call (leave, dismissal, room end)
  kWaitingRoomEntered,   // a guest waits for a host's admit
  kAdmitted,             // a host admitted a waiting guest
  kDenied,               // a host denied a waiting guest
  kConsultationEnded,    // a host, or the room API, ended the room for everyone
  kQualityAlert,         // a participant's call quality fell below the alert line
};

std::string_view eventTypeName(EventType type);
std::optional<EventType> parseEventType(std::string_view name);
std::span<const EventType> allEventTypes();

struct QualityFigures {
  double loss = 0;   // fraction of packets lost, 0..1
  double rttMs = 0;  // round-trip time
  double score = 0;  // 0 (unusable) .. 5 (excellent), a MOS-like figure
};

struct Event {
  EventType type = EventType::kRoomStarted;
  std::string tenantId;  // whose endpoints get it ("" : the node-operator keys')
  std::string roomId;
  std::string participantId;  // participant events
  std::string role;           // "host", "guest", "patient", ...
  std::string by;             // the acting host's participant id (admitted, denied, consultation_ended)
  std::string reason;         // a code (participant_left, consultation_ended), never free text
  std::optional<QualityFigures> quality;
  // Personal: only in bodies for endpoints with include_names.
  std::string name;
  std::string identity;
  int64_t occurredAtMs = 0;  // Unix milliseconds
};

// {"type": "...", "timestamp": "<RFC 3339>", "data": {...}}, the Standard Webhooks
// envelope; `data` holds the ids (and, opted in, name and identity).
std::string eventBody(const Event& event, bool includeNames);

}  // namespace medrtc::webhooks
