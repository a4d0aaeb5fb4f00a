#pragma once
// The WebSocket signaling protocol (docs/protocol.md) as a state machine over plain
// sockets: who is connected, who joined which room, and what each message does. The
// Beast WebSocket session (websocket_session.cpp) only moves frames and timers; every
// protocol decision is here, on the control thread.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "sfu/media_api.hpp"
#include "signaling/join_token.hpp"
#include "signaling/message/client_message.hpp"
#include "signaling/message/error_code.hpp"
#include "signaling/message/server_message.hpp"
#include "store/store.hpp"

namespace medrtc::signaling {

// One client's WebSocket, as the hub drives it.
class PeerSocket {
 public:
  virtual ~PeerSocket() = default;
  // Queues one text frame.
  virtual void sendText(std::string text) = 0;
  // Sends the queued frames, then a close frame with `code` (RFC 6455 §7.4). The socket
  // then reports onDisconnected when the TCP connection is gone.
  virtual void close(uint16_t code, std::string_view reason) = 0;
};

// RFC 6455 §7.4.1.
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;

struct LiveParticipant {
  ParticipantView view;
  int64_t joinedAt = 0;  // Unix seconds
};

class SignalingHub final : public sfu::MediaEvents {
 public:
  using ConnectionId = uint64_t;

  SignalingHub(store::Store& store, const JoinTokenSigner& tokens, const Clock& clock);
  ~SignalingHub() override;

  // The media plane is built after the hub (it needs the hub as its MediaEvents).
  void setMedia(sfu::MediaApi* media) { media_ = media; }
  // TURN servers handed to each participant in `joined` (none when unset).
  void setIceServers(IceServerProvider provider) { iceServers_ = std::move(provider); }

  // Transport events, from the WebSocket session.
  ConnectionId connect(std::shared_ptr<PeerSocket> socket);
  void onText(ConnectionId id, std::string_view text);
  void onTooLarge(ConnectionId id);
  void onJoinTimeout(ConnectionId id);
  // The socket is gone (close handshake done, TCP reset/EOF, or idle timeout). Always the
  // last event of a connection.
  void onDisconnected(ConnectionId id, std::string_view why);

  // REST: live participants of a room; ending a room for everyone.
  std::vector<LiveParticipant> participants(const std::string& roomId) const;
  void endRoom(const std::string& roomId, std::string_view reason);
  // Shutdown: ends every live room and closes every socket.
  void closeAll();

  size_t connectionCount() const { return connections_.size(); }

  // sfu::MediaEvents
  void onSubscribeOffer(const std::string& roomId, const std::string& participantId, uint32_t version,
                        std::string sdp) override;
  void onMediaFailed(const std::string& roomId, const std::string& participantId, std::string reason) override;

 private:
  enum class State { kAwaitingJoin, kJoining, kJoined, kClosed };
  struct Connection {
    std::shared_ptr<PeerSocket> socket;
    State state = State::kAwaitingJoin;
    std::string roomId;
    std::string participantId;
    JoinClaims claims;
    bool audioMuted = false;
    bool videoMuted = false;
    int64_t joinedAt = 0;
    // A subscribe offer that arrived before `joined` was sent; only the newest counts.
    std::optional<std::pair<uint32_t, std::string>> pendingOffer;
  };

  void handle(ConnectionId id, Connection& c, JoinMessage& m);
  void handle(ConnectionId id, Connection& c, PublishOfferMessage& m);
  void handle(ConnectionId id, Connection& c, SubscribeAnswerMessage& m);
  void handle(ConnectionId id, Connection& c, TrackStateMessage& m);
  void handle(ConnectionId id, Connection& c, LeaveMessage& m);
  void handle(ConnectionId id, Connection& c, PingMessage& m);
  void onAdded(const std::string& participantId, Result<Ok, sfu::MediaError> result);

  void sendError(Connection& c, ErrorCode code, std::string_view message, std::string_view requestType = {});
  // Sends a fatal error, closes the socket with 4000+n and drops the participant.
  void failConnection(Connection& c, ErrorCode code, std::string_view message);
  // Takes the connection out of its room (media, maps, participant_left to the others).
  void removeFromRoom(Connection& c, std::string_view reason);
  void broadcast(const std::string& roomId, const std::string& exceptParticipant, const std::string& text);
  Connection* byParticipant(const std::string& participantId);
  ParticipantView viewOf(const Connection& c) const;
  int64_t nowSeconds() const;

  store::Store& store_;
  const JoinTokenSigner& tokens_;
  const Clock& clock_;
  sfu::MediaApi* media_ = nullptr;
  IceServerProvider iceServers_;
  ConnectionId nextId_ = 1;
  std::unordered_map<ConnectionId, Connection> connections_;
  // room id → participant id → connection (joining or joined participants).
  std::unordered_map<std::string, std::map<std::string, ConnectionId>> rooms_;
  std::unordered_map<std::string, ConnectionId> participants_;
};

ErrorCode errorCodeFor(sfu::MediaError e);

}  // namespace medrtc::signaling
