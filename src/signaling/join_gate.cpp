// The checks at the door of SignalingHub (issue 10 items 3 and 9): whether the state
// behind a join token still allows it in (join_check.hpp), and the participant caps; and
// the periodic re-check of those already inside (recheckSessions).
// Kept apart from the protocol and the waiting room so admission can move without them.
#include <spdlog/spdlog.h>
#include "log/log.hpp"

#include "signaling/guest_access_check.hpp"
#include "signaling/signaling_hub.hpp"

#include <map>
#include <set>

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

SignalingHub::JoinReading SignalingHub::readJoinState(store::Store& store, const JoinClaims& claims, int64_t now,
                                                      int64_t grace) {
  JoinReading read;
  try {
    read.room = store.findRoom(claims.roomId);
    if (read.room) {
      // Revocation revokes (issue 10 item 3): before the same identity's older socket is
      // replaced, so a dead token cannot even kick the live participant.
      read.refusal = checkJoinState(store, claims, *read.room, now, grace);
      if (!read.refusal && !read.room->tenantId.empty()) {
        read.tenant = store.findTenant(read.room->tenantId);
      }
    }
  } catch (const std::exception& e) {
    read.error = e.what();
  }
  return read;
}

void SignalingHub::checkJoin(ConnectionId id, Connection& c, JoinClaims claims, bool p2pCapable, bool e2eeCapable) {
  int64_t now = nowSeconds();
  if (storePool_ == nullptr) {
    JoinReading read = readJoinState(store_, claims, now, appointmentGraceSeconds_);
    continueJoin(id, c, claims, p2pCapable, e2eeCapable, read);
    return;
  }
  // Off the control thread (issue 10 item 7): the reads go to the store pool and the join
  // continues when they are back; nothing has changed until then, so a join whose socket
  // went meanwhile is simply dropped.
  auto read = std::make_shared<JoinReading>();
  auto shared = std::make_shared<JoinClaims>(std::move(claims));
  int64_t grace = appointmentGraceSeconds_;
  c.joinChecking = true;
  bool queued = storePool_->submit(
      [read, shared, now, grace](store::Store& store) { *read = readJoinState(store, *shared, now, grace); },
      [this, id, read, shared, p2pCapable, e2eeCapable] {
        auto it = connections_.find(id);
        if (it == connections_.end() || !it->second.joinChecking) {
          return;  // the socket is gone
        }
        Connection& c = it->second;
        c.joinChecking = false;
        if (c.state != State::kAwaitingJoin) {
          return;  // closed meanwhile (displaced, server stopping)
        }
        // A posted task: an exception here would end the control loop (onText's boundary
        // does not cover it).
        try {
          continueJoin(id, c, *shared, p2pCapable, e2eeCapable, *read);
        } catch (const std::exception& e) {
          log::error("request_failed", {{"code", "internal"}, {"room", shared->roomId}, {"error", e.what()}});
          auto again = connections_.find(id);
          if (again != connections_.end() && again->second.state != State::kClosed) {
            sendError(again->second, ErrorCode::kInternal, "server error", "join");
          }
        }
      });
  if (!queued) {
    c.joinChecking = false;
    log::warn("join_refused", {{"reason", "store_pool_full"}, {"room", shared->roomId}});
    sendError(c, ErrorCode::kInternal, "the server is busy; try again", "join");
    c.state = State::kClosed;
    c.socket->close(kCloseTryAgainLater, toString(ErrorCode::kInternal));
  }
}

namespace {

// The session hashes among `bound` (hash → the identity its tokens name) that no longer
// let their tokens in, by the rule of checkJoinState's session check.
std::vector<std::string> endedSessions(store::Store& store, const std::map<std::string, std::string>& bound,
                                       int64_t now) {
  std::vector<std::string> ended;
  for (const auto& [hash, identity] : bound) {
    auto s = store.findSession(hash);
    if (!s || s->userId != identity || s->expiresAt <= now) {
      ended.push_back(hash);
    }
  }
  return ended;
}

// (room id, identity) of a present guest.
using GuestKey = std::pair<std::string, std::string>;

struct AccessRound {
  std::map<std::string, std::string> sessions;  // session hash → identity (hosts)
  std::map<GuestKey, JoinClaims> guests;
  std::set<std::string> rooms;  // every room with someone present
};

struct AccessEnded {
  std::vector<std::string> sessions;
  std::vector<std::pair<GuestKey, JoinRefusal>> guests;
  std::vector<std::string> rooms;  // ended in the store by another node
};

// The rooms among `present` that the store says have ended: another node ended them (its
// host's end_consultation, DELETE /api/v1/rooms/{id}, the appointment's cancellation),
// while this node still holds some of their people.
std::vector<std::string> endedRooms(store::Store& store, const std::set<std::string>& present) {
  std::vector<std::string> ended;
  for (const auto& roomId : present) {
    auto room = store.findRoom(roomId);
    if (room && room->ended()) {
      ended.push_back(roomId);
    }
  }
  return ended;
}

// Each half fails open on its own: a store fault keeps whoever it could not read.
AccessEnded readEndedAccess(store::Store& store, const AccessRound& round, int64_t now) {
  AccessEnded ended;
  try {
    ended.sessions = endedSessions(store, round.sessions, now);
  } catch (const std::exception& e) {
    log::error("session_recheck_failed", {{"code", "internal"}, {"error", e.what()}});
  }
  try {
    ended.rooms = endedRooms(store, round.rooms);
  } catch (const std::exception& e) {
    log::error("room_recheck_failed", {{"code", "internal"}, {"error", e.what()}});
  }
  try {
    for (const auto& [key, claims] : round.guests) {
      if (auto refusal = checkGuestStillAllowed(store, claims)) {
        ended.guests.emplace_back(key, *refusal);
      }
    }
  } catch (const std::exception& e) {
    ended.guests.clear();
    log::error("guest_recheck_failed", {{"code", "internal"}, {"error", e.what()}});
  }
  return ended;
}

}  // namespace

// The round every few seconds (SignalingHub::recheckSessions in signaling_hub.hpp) reads
// what can end behind this process's back for everyone present: the rooms themselves
// (ended by another node: the room ends here too, for everyone), the sign-in sessions
// behind host tokens, and the state behind each guest's token (guest_access_check.hpp).
// One store-pool job for all three; whoever's state ended is dismissed with access_revoked.
void SignalingHub::recheckSessions() {
  if (sessionRecheckRunning_) {
    return;  // the previous round is still reading (a slow database): no pile-up
  }
  AccessRound round;
  for (const auto& [id, c] : connections_) {
    bool present = c.state == State::kWaiting || c.state == State::kJoining || c.state == State::kJoined;
    if (!present) {
      continue;
    }
    round.rooms.insert(c.roomId);
    if (!c.claims.sessionHash.empty()) {
      round.sessions.emplace(c.claims.sessionHash, c.claims.identity);
    } else if (c.claims.role != "host") {
      round.guests.emplace(GuestKey{c.roomId, c.claims.identity}, c.claims);
    }
  }
  if (round.rooms.empty()) {
    return;
  }
  int64_t now = nowSeconds();
  auto report = [this](const AccessEnded& ended) {
    // First: room_ended tells everyone in such a room what happened, better than one
    // access_revoked each. The node that ended it sent consultation_ended; this one
    // sends participant_left and room_finished for its own people.
    for (const auto& roomId : ended.rooms) {
      if (roomLive(roomId)) {
        log::info("room_ended_on_recheck", {{"room", roomId}});
        endRoom(roomId, "ended_on_another_server", "", /*announce=*/false);
      }
    }
    for (const auto& hash : ended.sessions) {
      sessionEnded(hash);
    }
    // The guest's connection now (it may have reconnected or been admitted meanwhile).
    for (const auto& [key, refusal] : ended.guests) {
      std::vector<ConnectionId> found;
      for (auto& [id, c] : connections_) {
        bool present = c.state == State::kWaiting || c.state == State::kJoining || c.state == State::kJoined;
        if (present && c.claims.role != "host" && c.roomId == key.first && c.claims.identity == key.second) {
          found.push_back(id);
        }
      }
      for (ConnectionId id : found) {
        Connection& c = connections_.at(id);
        log::info("participant_refused_on_recheck", {{"reason", toString(refusal.code)}, {"room", c.roomId},
                                                     {"participant", c.participantId}});
        dismissRefused(c, refusal);
      }
    }
  };
  if (storePool_ == nullptr) {
    report(readEndedAccess(store_, round, now));
    return;
  }
  // Fails open, unlike a join: a database blip must not throw every practitioner and
  // patient out of their calls. The state was valid at the join; the next round decides.
  auto ended = std::make_shared<AccessEnded>();
  sessionRecheckRunning_ = true;
  bool queued = storePool_->submit(
      [round = std::move(round), now, ended](store::Store& store) { *ended = readEndedAccess(store, round, now); },
      [this, ended, report] {
        sessionRecheckRunning_ = false;
        report(*ended);
      });
  if (!queued) {
    sessionRecheckRunning_ = false;  // the pool is full: the next round tries again
  }
}

}  // namespace medrtc::signaling
