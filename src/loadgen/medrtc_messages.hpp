#pragma once
// The JSON the load generator exchanges with a medrtc server: REST bodies
// (POST /api/v1/rooms, POST /api/v1/rooms/{id}/tokens) and the signaling messages of
// docs/protocol.md. Building never fails; parsing returns nullopt for anything unexpected.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medrtc::loadgen {

std::string createRoomBody(std::string_view name);
std::string createTokenBody(std::string_view identity, std::string_view name, std::string_view role);
// "id" of a created room, "token" of a created token.
std::optional<std::string> parseRoomId(std::string_view body);
std::optional<std::string> parseToken(std::string_view body);

std::string joinMessage(std::string_view token);
std::string publishOfferMessage(std::string_view sdp);
std::string subscribeAnswerMessage(std::string_view sdp, int64_t version);
std::string pingMessage();
std::string leaveMessage();

struct ServerMessage {
  std::string type;           // "joined", "publish_answer", "subscribe_offer", "error", ...
  std::string sdp;            // publish_answer, subscribe_offer
  int64_t version = 0;        // subscribe_offer
  std::string participantId;  // joined
  std::string errorCode;      // error
  std::string errorMessage;   // error
};
std::optional<ServerMessage> parseServerMessage(std::string_view text);

}  // namespace medrtc::loadgen
