#pragma once
// Server → client messages of the signaling protocol (docs/protocol.md), serialized to the
// JSON text of one WebSocket frame.
#include <cstdint>
#include <functional>
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
  // docs/e2ee.md: the participant's ECDH public key (base64url) once it sent one; empty
  // omits the field.
  std::string e2eePublicKey;
};

// One RTCIceServer (W3C webrtc-pc §4.2.1) for `joined.ice_servers`.
struct IceServerView {
  std::vector<std::string> urls;
  std::string username;
  std::string credential;
};

// Builds `joined.ice_servers` for a participant id (TURN credentials are per participant).
using IceServerProvider = std::function<std::vector<IceServerView>(const std::string& participantId)>;

// `mediaMode`: "sfu", or "p2p" when the client should hold its media for a P2P peer
// (docs/p2p.md); empty omits the field. `resumeToken` (docs/protocol.md "Recovery"): empty
// omits the field. `e2ee`: the room is end-to-end encrypted (docs/e2ee.md).
std::string joinedMessage(const std::string& participantId, const std::string& roomId, const std::string& identity,
                          const std::string& role, const std::vector<ParticipantView>& others,
                          const std::vector<IceServerView>& iceServers = {}, std::string_view mediaMode = {},
                          std::string_view resumeToken = {}, bool e2ee = false);
// Reply to a good `resume`: the participant kept; `others` is the room as it is now (for a
// waiting participant: empty, and a `waiting` follows).
std::string resumedMessage(const std::string& participantId, std::string_view resumeToken, bool waiting,
                           const std::vector<ParticipantView>& others, bool e2ee = false);
// End-to-end encryption relays (docs/e2ee.md): the payloads as the sender wrote them.
std::string e2eePublicKeyMessage(const std::string& fromParticipantId, std::string_view publicKey);
std::string e2eeKeyMessage(const std::string& fromParticipantId, std::string_view ciphertext);
// docs/p2p.md. `peer` empty: p2p with nobody yet (hold the media), or any sfu.
std::string mediaModeMessage(std::string_view mode, const std::string& peer, bool polite);
// `data` is a serialised JSON object (P2pSignalMessage::data).
std::string p2pSignalMessage(const std::string& fromParticipantId, std::string_view data);
std::string publishAnswerMessage(std::string_view sdp);
std::string subscribeOfferMessage(std::string_view sdp, uint32_t version);
std::string participantJoinedMessage(const ParticipantView& p);
std::string participantLeftMessage(const std::string& participantId);
std::string trackStateMessage(const std::string& participantId, TrackKind kind, bool muted);
std::string roomEndedMessage(std::string_view reason);
std::string pongMessage();

// Waiting room (docs/consultation-api.md): what a waiting guest learns — its position only.
// `resumeToken`: the participant's current one (docs/protocol.md "Recovery"); empty omits it.
std::string waitingMessage(size_t position, std::string_view resumeToken = {});
struct QueueEntryView {
  std::string participantId;
  std::string name;
  std::string role;
  std::string waitingSince;  // RFC 3339
};
// To hosts only: the queue with names.
std::string waitingRoomMessage(const std::vector<QueueEntryView>& queue);
std::string deniedMessage();
std::string removedMessage();
std::string chatMessage(const std::string& fromParticipantId, const std::string& name, std::string_view text,
                        const std::string& sentAt);
// Chat in an E2EE room: `ciphertext` instead of `text`.
std::string encryptedChatMessage(const std::string& fromParticipantId, const std::string& name,
                                 std::string_view ciphertext, const std::string& sentAt);
// Reply to restart_ice: `connection` is "publisher" or "subscriber"; the new credentials
// also come in that connection's next description.
std::string iceRestartedMessage(std::string_view connection, const std::string& iceUfrag, const std::string& icePwd);
// `requestType` may be empty (then omitted).
std::string errorMessage(ErrorCode code, std::string_view message, std::string_view requestType = {});

}  // namespace medrtc::signaling
