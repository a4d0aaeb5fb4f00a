#include "signaling/message/server_message.hpp"

#include <boost/json.hpp>

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

json::object participantObject(const ParticipantView& p) {
  json::object o{{"participant_id", p.participantId}, {"identity", p.identity}, {"name", p.name},
                 {"role", p.role},                    {"audio_muted", p.audioMuted}, {"video_muted", p.videoMuted}};
  if (!p.e2eePublicKey.empty()) {
    o["e2ee_public_key"] = p.e2eePublicKey;
  }
  return o;
}

}  // namespace

std::string joinedMessage(const std::string& participantId, const std::string& roomId, const std::string& identity,
                          const std::string& role, const std::vector<ParticipantView>& others,
                          const std::vector<IceServerView>& iceServers, std::string_view mediaMode,
                          std::string_view resumeToken, bool e2ee) {
  json::array participants;
  for (const auto& p : others) {
    participants.push_back(participantObject(p));
  }
  json::array ice;
  for (const auto& server : iceServers) {
    json::array urls;
    for (const auto& u : server.urls) {
      urls.push_back(json::string(u));
    }
    ice.push_back(json::object{{"urls", std::move(urls)}, {"username", server.username},
                               {"credential", server.credential}});
  }
  json::object o{{"type", "joined"},
                 {"participant_id", participantId},
                 {"room_id", roomId},
                 {"identity", identity},
                 {"role", role},
                 {"participants", std::move(participants)},
                 {"ice_servers", std::move(ice)},
                 {"e2ee", e2ee}};
  if (!mediaMode.empty()) {
    o["media_mode"] = mediaMode;
  }
  if (!resumeToken.empty()) {
    o["resume_token"] = resumeToken;
  }
  return json::serialize(o);
}

std::string resumedMessage(const std::string& participantId, std::string_view resumeToken, bool waiting,
                           const std::vector<ParticipantView>& others, bool e2ee) {
  json::array participants;
  for (const auto& p : others) {
    participants.push_back(participantObject(p));
  }
  return json::serialize(json::object{{"type", "resumed"},
                                      {"participant_id", participantId},
                                      {"resume_token", resumeToken},
                                      {"waiting", waiting},
                                      {"participants", std::move(participants)},
                                      {"e2ee", e2ee}});
}

std::string e2eePublicKeyMessage(const std::string& fromParticipantId, std::string_view publicKey) {
  return json::serialize(json::object{{"type", "e2ee_public_key"}, {"from", fromParticipantId}, {"public_key", publicKey}});
}

std::string e2eeKeyMessage(const std::string& fromParticipantId, std::string_view ciphertext) {
  return json::serialize(json::object{{"type", "e2ee_key"}, {"from", fromParticipantId}, {"ciphertext", ciphertext}});
}

std::string mediaModeMessage(std::string_view mode, const std::string& peer, bool polite) {
  json::object o{{"type", "media_mode"}, {"mode", mode}};
  if (!peer.empty()) {
    o["peer"] = peer;
    o["polite"] = polite;
  }
  return json::serialize(o);
}

std::string p2pSignalMessage(const std::string& fromParticipantId, std::string_view data) {
  // `data` was parsed as a JSON object and serialised by us (client_message.cpp), so it
  // is spliced in as it is rather than parsed a second time.
  return R"({"type":"p2p_signal","from":)" + json::serialize(json::value(fromParticipantId)) + R"(,"data":)" +
         std::string(data) + "}";
}

std::string publishAnswerMessage(std::string_view sdp) {
  return json::serialize(json::object{{"type", "publish_answer"}, {"sdp", sdp}});
}

std::string subscribeOfferMessage(std::string_view sdp, uint32_t version) {
  return json::serialize(json::object{{"type", "subscribe_offer"}, {"version", version}, {"sdp", sdp}});
}

std::string participantJoinedMessage(const ParticipantView& p) {
  return json::serialize(json::object{{"type", "participant_joined"}, {"participant", participantObject(p)}});
}

std::string participantLeftMessage(const std::string& participantId) {
  return json::serialize(json::object{{"type", "participant_left"}, {"participant_id", participantId}});
}

std::string trackStateMessage(const std::string& participantId, TrackKind kind, bool muted) {
  return json::serialize(json::object{
      {"type", "track_state"}, {"participant_id", participantId}, {"kind", toString(kind)}, {"muted", muted}});
}

std::string roomEndedMessage(std::string_view reason) {
  return json::serialize(json::object{{"type", "room_ended"}, {"reason", reason}});
}

std::string pongMessage() { return R"({"type":"pong"})"; }

std::string waitingMessage(size_t position, std::string_view resumeToken) {
  json::object o{{"type", "waiting"}, {"position", position}};
  if (!resumeToken.empty()) {
    o["resume_token"] = resumeToken;
  }
  return json::serialize(o);
}

std::string waitingRoomMessage(const std::vector<QueueEntryView>& queue) {
  json::array entries;
  for (const auto& e : queue) {
    entries.push_back(json::object{{"participant_id", e.participantId},
                                   {"name", e.name},
                                   {"role", e.role},
                                   {"waiting_since", e.waitingSince}});
  }
  return json::serialize(json::object{{"type", "waiting_room"}, {"queue", std::move(entries)}});
}

std::string deniedMessage() { return R"({"type":"denied"})"; }

std::string removedMessage() { return R"({"type":"removed"})"; }

std::string chatMessage(const std::string& fromParticipantId, const std::string& name, std::string_view text,
                        const std::string& sentAt) {
  return json::serialize(json::object{
      {"type", "chat"}, {"from", fromParticipantId}, {"name", name}, {"text", text}, {"sent_at", sentAt}});
}

std::string encryptedChatMessage(const std::string& fromParticipantId, const std::string& name,
                                 std::string_view ciphertext, const std::string& sentAt) {
  return json::serialize(json::object{{"type", "chat"},
                                      {"from", fromParticipantId},
                                      {"name", name},
                                      {"ciphertext", ciphertext},
                                      {"sent_at", sentAt}});
}

std::string iceRestartedMessage(std::string_view connection, const std::string& iceUfrag, const std::string& icePwd) {
  return json::serialize(json::object{
      {"type", "ice_restarted"}, {"connection", connection}, {"ice_ufrag", iceUfrag}, {"ice_pwd", icePwd}});
}

std::string errorMessage(ErrorCode code, std::string_view message, std::string_view requestType) {
  json::object o{{"type", "error"}, {"code", toString(code)}, {"message", message}};
  if (!requestType.empty()) {
    o["request_type"] = requestType;
  }
  return json::serialize(o);
}

}  // namespace medrtc::signaling
