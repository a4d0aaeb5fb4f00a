#pragma once
// Server → client messages of the signaling protocol (docs/protocol.md), serialized to the
// JSON text of one WebSocket frame.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/message/client_message.hpp"
#include "signaling/message/error_code.hpp"

namespace medrtc::signaling {

// docs/protocol.md "participant object".
struct ParticipantView {
  std::string participantId;
  std::string identity;
  std::string name;
  std::string role;
  bool audioMuted = false;
  bool videoMuted = false;
};

std::string joinedMessage(const std::string& participantId, const std::string& roomId, const std::string& identity,
                          const std::string& role, const std::vector<ParticipantView>& others);
std::string publishAnswerMessage(std::string_view sdp);
std::string subscribeOfferMessage(std::string_view sdp, uint32_t version);
std::string participantJoinedMessage(const ParticipantView& p);
std::string participantLeftMessage(const std::string& participantId);
std::string trackStateMessage(const std::string& participantId, TrackKind kind, bool muted);
std::string roomEndedMessage(std::string_view reason);
std::string pongMessage();
// `requestType` may be empty (then omitted).
std::string errorMessage(ErrorCode code, std::string_view message, std::string_view requestType = {});

}  // namespace medrtc::signaling
