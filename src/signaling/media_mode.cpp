// Peer-to-peer 1:1 media (docs/p2p.md): which rooms carry their media browser to browser,
// and the relay of the two browsers' offers, answers and candidates. The server only
// passes these along; the DTLS keys of a P2P call never exist on it.
#include <spdlog/spdlog.h>
#include "log/log.hpp"

#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

std::string SignalingHub::decideMediaMode(const std::string& roomId) {
  auto room = rooms_.find(roomId);
  // K7: P2P where the node's profile prefers it, or the room's tenant's own profile does
  // (every participant of a room shares its tenant; each join read the tenant's profile).
  bool preferred = p2pPreferred_;
  if (!preferred && room != rooms_.end()) {
    for (auto& [pid, id] : room->second) {
      preferred = preferred || connections_.at(id).tenantPrefersP2p;
    }
  }
  if (!preferred) {
    return "";
  }
  if (sfuRooms_.count(roomId) > 0) {
    return "sfu";
  }
  size_t joined = 0;
  bool allCapable = true;
  if (room != rooms_.end()) {
    for (auto& [pid, id] : room->second) {
      const Connection& c = connections_.at(id);
      if (c.state != State::kJoined) {
        continue;  // a joining participant counts once it is in (its `joined` decides again)
      }
      ++joined;
      // A client without P2P, or one whose token cannot both send and receive, needs the
      // SFU: a direct connection would leave someone without media.
      allCapable = allCapable && c.p2pCapable && c.claims.canPublish && c.claims.canSubscribe;
    }
  }
  if (joined <= 2 && allCapable) {
    return "p2p";
  }
  // K7 "the server relays only when needed": from here on it is needed for this room.
  sfuRooms_.insert(roomId);
  log::info("media_mode", {{"room", roomId}, {"mode", "sfu"}, {"joined", joined}});
  return "sfu";
}

void SignalingHub::updateMediaMode(const std::string& roomId) {
  std::string mode = decideMediaMode(roomId);
  if (mode.empty()) {
    return;
  }
  auto room = rooms_.find(roomId);
  if (room == rooms_.end()) {
    return;
  }
  std::vector<Connection*> joined;
  for (auto& [pid, id] : room->second) {
    Connection& c = connections_.at(id);
    if (c.state == State::kJoined) {
      joined.push_back(&c);
    }
  }
  for (Connection* c : joined) {
    if (!c->p2pCapable) {
      continue;  // it never heard of modes and always uses the SFU
    }
    std::string peer;
    if (mode == "p2p" && joined.size() == 2) {
      peer = (joined[0] == c ? joined[1] : joined[0])->participantId;
    }
    if (c->mediaMode == mode && c->p2pPeer == peer) {
      continue;
    }
    c->mediaMode = mode;
    c->p2pPeer = peer;
    // Perfect negotiation (W3C webrtc-pc §10.7) needs exactly one polite side; both ends
    // compute the same order from the two ids.
    c->socket->sendText(mediaModeMessage(mode, peer, !peer.empty() && c->participantId > peer));
  }
  if (mode == "p2p" && joined.size() == 2) {
    log::info("media_mode", {{"room", roomId}, {"mode", "p2p"}});
  }
}

void SignalingHub::handle(ConnectionId, Connection& c, P2pSignalMessage& m) {
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "join first", "p2p_signal");
    return;
  }
  Connection* peer = byParticipant(m.to);
  if (peer == nullptr || peer->roomId != c.roomId || peer->state != State::kJoined || m.to == c.participantId) {
    sendError(c, ErrorCode::kParticipantNotFound, "no such participant in this room", "p2p_signal");
    return;
  }
  // Only between the two P2P peers of a room in P2P mode: a relay for anyone else would
  // let a participant reach one it is not in a 1:1 call with.
  if (c.mediaMode != "p2p" || c.p2pPeer != m.to || peer->p2pPeer != c.participantId) {
    sendError(c, ErrorCode::kP2pNotActive, "the room is not in peer-to-peer mode with this participant",
              "p2p_signal");
    return;
  }
  peer->socket->sendText(p2pSignalMessage(c.participantId, m.data));
}

void SignalingHub::handle(ConnectionId, Connection& c, P2pFailedMessage&) {
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "join first", "p2p_failed");
    return;
  }
  // Both sides may report; a room already on the SFU just stays there.
  if (c.mediaMode != "p2p" || c.p2pPeer.empty() || sfuRooms_.count(c.roomId) > 0) {
    return;
  }
  log::info("p2p_failed", {{"room", c.roomId}, {"participant", c.participantId}});
  sfuRooms_.insert(c.roomId);
  updateMediaMode(c.roomId);
}

}  // namespace medrtc::signaling
