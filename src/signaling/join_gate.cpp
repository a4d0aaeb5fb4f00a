// The checks at the door of SignalingHub (issue 10 items 3 and 9): whether the state
// behind a join token still allows it in (join_check.hpp), and the participant caps.
// Kept apart from the protocol and the waiting room so admission can move without them.
#include <spdlog/spdlog.h>
#include "log/log.hpp"

#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

std::optional<JoinRefusal> SignalingHub::capacityRefusal(const store::RoomRecord& room) const {
  size_t inRoom = 0;
  size_t inTenant = 0;
  size_t onNode = 0;
  for (const auto& [id, c] : connections_) {
    if (c.state != State::kWaiting && c.state != State::kJoining && c.state != State::kJoined) {
      continue;
    }
    ++onNode;
    inTenant += c.tenantId == room.tenantId;
    inRoom += c.roomId == room.id;
  }
  if (inRoom >= limits_.perRoom) {
    return JoinRefusal{ErrorCode::kCapacityReached, "the room is full"};
  }
  if (inTenant >= limits_.perTenant) {
    return JoinRefusal{ErrorCode::kCapacityReached, "the organisation's participant limit is reached"};
  }
  if (onNode >= limits_.perNode) {
    return JoinRefusal{ErrorCode::kCapacityReached, "the server's participant limit is reached"};
  }
  return std::nullopt;
}

void SignalingHub::refuseJoin(Connection& c, const JoinRefusal& refusal, const std::string& roomId) {
  log::info("join_refused", {{"reason", toString(refusal.code)}, {"room", roomId}});
  if (refusal.code == ErrorCode::kDenied) {
    c.socket->sendText(deniedMessage());
  } else if (refusal.code == ErrorCode::kRemoved) {
    c.socket->sendText(removedMessage());
  } else {
    sendError(c, refusal.code, refusal.message, "join");
  }
  c.state = State::kClosed;
  c.socket->close(closeCodeFor(refusal.code), toString(refusal.code));
}

void SignalingHub::dismissRefused(Connection& c, const JoinRefusal& refusal) {
  if (refusal.code == ErrorCode::kDenied) {
    dismiss(c, refusal.code, deniedMessage());
  } else if (refusal.code == ErrorCode::kRemoved) {
    dismiss(c, refusal.code, removedMessage());
  } else {
    dismiss(c, refusal.code, errorMessage(refusal.code, refusal.message, ""));
  }
}

bool SignalingHub::refuseAdmission(Connection& host, Connection& guest) {
  auto room = store_.findRoom(guest.roomId);
  std::optional<JoinRefusal> refusal =
      room ? checkJoinState(store_, guest.claims, *room, nowSeconds(), appointmentGraceSeconds_)
           : JoinRefusal{ErrorCode::kRoomEnded, "room has ended"};
  if (!refusal) {
    return false;
  }
  log::info("admit_refused", {{"reason", toString(refusal->code)}, {"room", guest.roomId},
                              {"participant", guest.participantId}});
  sendError(host, ErrorCode::kParticipantNotFound, "this participant may no longer enter", "admit");
  dismissRefused(guest, *refusal);
  return true;
}

void SignalingHub::recheckRoom(const std::string& roomId) {
  std::vector<ConnectionId> present;
  if (auto queue = queues_.find(roomId); queue != queues_.end()) {
    present = queue->second;
  }
  if (auto members = rooms_.find(roomId); members != rooms_.end()) {
    for (auto& [pid, id] : members->second) {
      present.push_back(id);
    }
  }
  try {
    auto room = store_.findRoom(roomId);
    if (!room || room->ended()) {
      return;  // whoever ended it ends the room for everyone (endRoom)
    }
    for (ConnectionId id : present) {
      auto it = connections_.find(id);
      if (it == connections_.end() || it->second.state == State::kClosed) {
        continue;
      }
      if (auto refusal = checkJoinState(store_, it->second.claims, *room, nowSeconds(), appointmentGraceSeconds_)) {
        log::info("participant_refused_on_recheck", {{"reason", toString(refusal->code)}, {"room", roomId},
                                                     {"participant", it->second.participantId}});
        dismissRefused(it->second, *refusal);
      }
    }
  } catch (const store::StoreFailure& e) {
    // The change itself is stored; the next join or admit checks again.
    log::error("recheck_failed", {{"code", "internal"}, {"room", roomId}, {"error", e.what()}});
  }
}

void SignalingHub::sessionEnded(const std::string& sessionHash) {
  if (sessionHash.empty()) {
    return;
  }
  std::vector<ConnectionId> bound;
  for (auto& [id, c] : connections_) {
    bool present = c.state == State::kWaiting || c.state == State::kJoining || c.state == State::kJoined;
    if (present && c.claims.sessionHash == sessionHash) {
      bound.push_back(id);
    }
  }
  for (ConnectionId id : bound) {
    Connection& c = connections_.at(id);
    log::info("participant_refused_on_recheck", {{"reason", "access_revoked"}, {"room", c.roomId},
                                                 {"participant", c.participantId}});
    dismissRefused(c, JoinRefusal{ErrorCode::kAccessRevoked, "the sign-in session that issued this token has ended"});
  }
}

}  // namespace medrtc::signaling
