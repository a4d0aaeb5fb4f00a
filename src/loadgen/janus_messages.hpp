#pragma once
// The Janus HTTP API (https://janus.conf.meetecho.com/docs/rest.html) and VideoRoom plugin
// requests the load generator sends, and the replies and long-poll events it reads.
// Session: create → attach janus.plugin.videoroom (one handle to publish, one to
// subscribe) → long-poll GET /janus/<session> for events, keepalive within 60 s.
// Publish: "joinandconfigure" as publisher with a JSEP offer → event "joined" with the
// answer. Subscribe: "join" as subscriber to the other's feed → event "attached" with
// Janus's offer → "start" with our answer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medrtc::loadgen {

inline constexpr char kVideoRoomPlugin[] = "janus.plugin.videoroom";

std::string janusCreateSession(std::string_view transaction);
std::string janusAttach(std::string_view transaction, std::string_view plugin);
std::string janusKeepalive(std::string_view transaction);
std::string janusDestroySession(std::string_view transaction);

// VideoRoom "create": a temporary room for two publishers, Opus and VP8 only, with the
// publisher bitrate cap above what we send (so Janus's REMB does not ask us to slow down;
// we do not adapt anyway).
std::string videoRoomCreate(std::string_view transaction, uint64_t room, uint64_t bitrateBps);
std::string videoRoomDestroy(std::string_view transaction, uint64_t room);
// "joinandconfigure" as a publisher with audio and video, our offer attached. We send all
// our candidates in the SDP ("trickle": false).
std::string videoRoomPublish(std::string_view transaction, uint64_t room, std::string_view display,
                             std::string_view offerSdp);
// "join" as a subscriber to every stream of `feed`.
std::string videoRoomSubscribe(std::string_view transaction, uint64_t room, uint64_t feed);
// "start" with our answer to Janus's subscriber offer.
std::string videoRoomStart(std::string_view transaction, std::string_view answerSdp);

// One Janus message (a reply to a POST, or an event from the long poll), flattened to
// what the load generator acts on.
struct JanusMessage {
  std::string janus;        // "success", "ack", "event", "error", "webrtcup", "media", "hangup", ...
  std::string transaction;
  uint64_t sender = 0;      // the handle an event is for
  uint64_t dataId = 0;      // "data": {"id"} of create/attach successes
  int errorCode = 0;        // Janus "error" or plugin "error_code"
  std::string error;        // Janus "error.reason" or plugin "error"
  std::string reason;       // hangup reason
  // plugindata.data of a VideoRoom message
  std::string videoRoom;    // "joined", "event", "attached", "created", "updated", ...
  uint64_t room = 0;
  uint64_t feedId = 0;      // our publisher id in "joined"
  std::vector<uint64_t> publishers;  // feeds announced in "joined" or "event"
  std::optional<uint64_t> unpublished;
  // JSEP
  std::string jsepType;     // "offer" / "answer"
  std::string jsepSdp;
};

std::optional<JanusMessage> parseJanusMessage(std::string_view text);
// A long-poll reply: one object, or an array of them with ?maxev. Bad entries are skipped.
std::vector<JanusMessage> parseJanusEvents(std::string_view text);

}  // namespace medrtc::loadgen
