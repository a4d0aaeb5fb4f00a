// Session resume (docs/protocol.md "Recovery"): a participant whose WebSocket drops is
// kept — its media transports, admission, publications, place in the waiting line — for
// kResumeGrace, and a new socket that presents its resume token (with the join token it
// joined with) takes it over: same participant id, nobody else sees a leave or a join.
// The media plane never hears of the outage, so media flows on throughout.
#include "log/log.hpp"

#include <algorithm>
#include <utility>

#include "common/random.hpp"
#include "signaling/held_socket.hpp"
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

namespace {

// How long a retired token is remembered: a token presented later than this is just
// unknown (`resume_invalid`), which tells the client the same thing — join again.
constexpr auto kRetiredTokenMemory = std::chrono::minutes(10);

}  // namespace

const std::string& SignalingHub::rotateResumeToken(ConnectionId id, Connection& c) {
  if (!c.resumeToken.empty()) {
    retireResumeToken(c, /*used=*/true);
  }
  // 128 bits from the OS CSPRNG: a bearer secret, and single-use.
  c.resumeToken = "rt_" + randomHex(16);
  resumeTokens_[c.resumeToken] = id;
  return c.resumeToken;
}

void SignalingHub::retireResumeToken(Connection& c, bool used) {
  if (c.resumeToken.empty()) {
    return;
  }
  resumeTokens_.erase(c.resumeToken);
  retiredTokens_[c.resumeToken] = RetiredToken{used, clock_.now()};
  c.resumeToken.clear();
}

bool SignalingHub::holdForResume(Connection& c, std::string_view why) {
  if ((c.state != State::kJoined && c.state != State::kWaiting) || c.resumeToken.empty() || c.held) {
    return false;
  }
  if (why == "closed") {
    return false;  // the client said goodbye with a close frame: it is not coming back
  }
  c.held = std::make_shared<HeldSocket>();
  c.socket = c.held;
  c.graceEnds = clock_.now() + std::chrono::duration_cast<Micros>(kResumeGrace);
  log::info("participant_detached", {{"room", c.roomId}, {"participant", c.participantId}, {"reason", why},
                                   {"grace_s", kResumeGrace.count()}});
  return true;
}

void SignalingHub::expireGrace() {
  const Micros now = clock_.now();
  std::vector<ConnectionId> gone;
  for (auto& [id, c] : connections_) {
    if (!c.held) {
      continue;
    }
    if (c.state == State::kClosed || c.held->closed()) {
      gone.push_back(id);  // dismissed during its grace (removed, room ended): already out
    } else if (now >= c.graceEnds || c.held->overflowed()) {
      gone.push_back(id);
    }
  }
  for (ConnectionId id : gone) {
    auto it = connections_.find(id);
    Connection& c = it->second;
    if (c.state != State::kClosed) {
      log::info("participant_resume_grace_over", {{"room", c.roomId}, {"participant", c.participantId}});
      if (c.state == State::kWaiting) {
        forgetQueuePlace(c);
      }
      removeFromRoom(c, "resume_timeout");
    }
    retireResumeToken(c, /*used=*/false);
    connections_.erase(it);
  }
  for (auto it = retiredTokens_.begin(); it != retiredTokens_.end();) {
    it = now - it->second.at > kRetiredTokenMemory ? retiredTokens_.erase(it) : std::next(it);
  }
}

void SignalingHub::handle(ConnectionId id, Connection& c, ResumeMessage& m) {
  if (c.state != State::kAwaitingJoin || c.joinChecking) {
    sendError(c, ErrorCode::kAlreadyJoined, "this socket already joined", "resume");
    return;
  }
  pendingJoins_.remove(id);
  // The join token proves the resumer is who joined; refused exactly as at `join`.
  auto claims = tokens_.verify(m.token, ExpiryCheck::kDeferToAppointment);
  if (!claims) {
    log::info("resume_refused", {{"reason", "token_" + std::string(toString(claims.error()))}});
    failConnection(c, claims.error() == TokenError::kExpired ? ErrorCode::kTokenExpired : ErrorCode::kTokenInvalid,
                   claims.error() == TokenError::kExpired ? "token expired" : "token invalid");
    return;
  }
  // Every refusal below leaves the socket waiting for a `join` (the 10 s still run) and
  // changes nothing else: the client joins again as it would without resume.
  auto live = resumeTokens_.find(m.resumeToken);
  if (live == resumeTokens_.end()) {
    auto retired = retiredTokens_.find(m.resumeToken);
    ErrorCode code = retired == retiredTokens_.end() ? ErrorCode::kResumeInvalid
                     : retired->second.used         ? ErrorCode::kResumeReplayed
                                                    : ErrorCode::kResumeExpired;
    log::info("resume_refused", {{"reason", toString(code)}, {"room", claims->roomId}});
    sendError(c, code,
              code == ErrorCode::kResumeReplayed  ? "this resume token was already used"
              : code == ErrorCode::kResumeExpired ? "the session ended; join again"
                                                  : "unknown resume token",
              "resume");
    return;
  }
  ConnectionId from = live->second;
  auto old = connections_.find(from);
  if (old == connections_.end() || old->second.state == State::kClosed ||
      (old->second.held && old->second.held->closed())) {
    // Dismissed while away (removed, denied, room ended): the join says why.
    log::info("resume_refused", {{"reason", "resume_expired"}, {"room", claims->roomId}});
    sendError(c, ErrorCode::kResumeExpired, "the session ended; join again", "resume");
    return;
  }
  Connection& prior = old->second;
  if (prior.roomId != claims->roomId || prior.claims.identity != claims->identity) {
    // Someone else's token: said as such, and the owner keeps it (it is still valid).
    log::warn("resume_refused", {{"reason", "resume_mismatch"}, {"room", claims->roomId}, {"participant", prior.participantId}});
    sendError(c, ErrorCode::kResumeMismatch, "this resume token is not yours", "resume");
    return;
  }
  takeOver(from, id);
}

void SignalingHub::takeOver(ConnectionId from, ConnectionId to) {
  Connection& prior = connections_.at(from);
  if (!prior.held) {
    // The old socket is still open (the client gave up on it first, e.g. missed pongs):
    // it is told and closed, as after a second join, but the participant stays.
    prior.socket->sendText(errorMessage(ErrorCode::kDuplicateIdentity, "resumed from another connection"));
    prior.socket->close(closeCodeFor(ErrorCode::kDuplicateIdentity), toString(ErrorCode::kDuplicateIdentity));
  }
  std::shared_ptr<PeerSocket> socket = std::move(connections_.at(to).socket);
  std::vector<std::string> held = prior.held ? prior.held->take() : std::vector<std::string>{};
  Connection moved = std::move(prior);
  connections_.erase(from);
  Connection& c = connections_.at(to);
  c = std::move(moved);
  c.socket = std::move(socket);
  c.held.reset();
  c.graceEnds = Micros{0};
  const bool offeredWhileHeld = std::exchange(c.offeredWhileHeld, false);
  // Every index that named the old connection names the new one.
  participants_[c.participantId] = to;
  if (c.state == State::kWaiting) {
    for (ConnectionId& wid : queues_[c.roomId]) {
      wid = wid == from ? to : wid;
    }
  } else if (auto room = rooms_.find(c.roomId); room != rooms_.end()) {
    room->second[c.participantId] = to;
  }
  // Single use: the token just presented is spent, a new one goes in `resumed`.
  const std::string& token = rotateResumeToken(to, c);
  log::info("participant_resumed", {{"room", c.roomId}, {"participant", c.participantId}, {"held_frames", held.size()}});

  std::vector<ParticipantView> others;
  if (c.state == State::kJoined) {
    for (auto& [pid, otherId] : rooms_[c.roomId]) {
      const Connection& other = connections_.at(otherId);
      if (pid != c.participantId && other.state == State::kJoined) {
        others.push_back(viewOf(other));
      }
    }
  }
  c.socket->sendText(resumedMessage(c.participantId, token, c.state == State::kWaiting, others, c.e2eeRoom));
  for (std::string& frame : held) {
    c.socket->sendText(std::move(frame));
  }
  if (c.state == State::kWaiting) {
    c.sentPosition = 0;  // the position again, on the new socket
    queueChanged(c.roomId);
  } else if (c.offeredVersion > c.answeredVersion && !offeredWhileHeld) {
    // The offer (or its answer) may have died with the old socket: offered again; the
    // client answers the same version.
    c.socket->sendText(subscribeOfferMessage(c.offeredSdp, c.offeredVersion));
  }
}

}  // namespace medrtc::signaling
