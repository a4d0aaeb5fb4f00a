#include "signaling/signaling_hub.hpp"
#include "log/log.hpp"


#include "common/random.hpp"
#include "signaling/control_metrics.hpp"

namespace medrtc::signaling {

namespace cp = compliance;

// Log lines carry room, participant and token ids only — never names or identities.

ErrorCode errorCodeFor(sfu::MediaError e) {
  switch (e) {
    case sfu::MediaError::kSdpInvalid: return ErrorCode::kSdpInvalid;
    case sfu::MediaError::kStaleVersion: return ErrorCode::kStaleVersion;
    case sfu::MediaError::kForbidden: return ErrorCode::kForbidden;
    case sfu::MediaError::kTransportNotFound: return ErrorCode::kTransportNotFound;
    case sfu::MediaError::kRoomNotFound:
    case sfu::MediaError::kParticipantNotFound:
    case sfu::MediaError::kShuttingDown:
    case sfu::MediaError::kTransportOff:   // probes only (REST), never in signaling
    case sfu::MediaError::kTooManyProbes:
    case sfu::MediaError::kInternal: return ErrorCode::kInternal;
  }
  return ErrorCode::kInternal;
}

namespace {

const char* mediaErrorName(sfu::MediaError e) {
  switch (e) {
    case sfu::MediaError::kRoomNotFound: return "room_not_found";
    case sfu::MediaError::kParticipantNotFound: return "participant_not_found";
    case sfu::MediaError::kSdpInvalid: return "sdp_invalid";
    case sfu::MediaError::kStaleVersion: return "stale_version";
    case sfu::MediaError::kForbidden: return "forbidden";
    case sfu::MediaError::kShuttingDown: return "shutting_down";
    case sfu::MediaError::kInternal: return "internal";
    case sfu::MediaError::kTransportNotFound: return "transport_not_found";
    case sfu::MediaError::kTransportOff: return "transport_off";
    case sfu::MediaError::kTooManyProbes: return "too_many_probes";
  }
  return "unknown";
}

}  // namespace

SignalingHub::SignalingHub(store::Store& store, const JoinTokenSigner& tokens, const Clock& clock)
    : store_(store), tokens_(tokens), clock_(clock), admission_(store, clock) {}

SignalingHub::~SignalingHub() = default;

int64_t SignalingHub::nowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
}

SignalingHub::ConnectionId SignalingHub::connect(std::shared_ptr<PeerSocket> socket, const std::string& limitKey) {
  ConnectionId id = nextId_++;
  connections_[id].socket = std::move(socket);
  for (ConnectionId displaced : pendingJoins_.add(id, limitKey)) {
    auto it = connections_.find(displaced);
    if (it == connections_.end() || it->second.state != State::kAwaitingJoin) {
      continue;
    }
    // No log line per socket: a flood of them is the attack this bounds (/metrics counts).
    Connection& old = it->second;
    countUnjoinedDisplaced();
    sendError(old, ErrorCode::kTooManyUnjoined, "too many connections are waiting to join");
    old.state = State::kClosed;
    old.socket->close(closeCodeFor(ErrorCode::kTooManyUnjoined), toString(ErrorCode::kTooManyUnjoined));
    old.socket->cutAfterClose();
  }
  return id;
}

void SignalingHub::onText(ConnectionId id, std::string_view text) {
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second.state == State::kClosed) {
    return;
  }
  Connection& c = it->second;
  Micros now = clock_.now();
  if (!c.messages.take(now)) {
    // Dropped before parsing: a flood costs a socket read per frame. Not logged per frame.
    if (now - c.lastRateLimitedError >= std::chrono::seconds(1)) {
      c.lastRateLimitedError = now;
      sendError(c, ErrorCode::kRateLimited, "too many messages; this one was dropped");
    }
    return;
  }
  auto parsed = parseClientMessage(text);
  if (!parsed) {
    const MessageError& e = parsed.error();
    if (e.kind == MessageErrorKind::kTooLarge) {
      failConnection(c, ErrorCode::kMessageTooLarge, "message larger than 64 KiB");
      return;
    }
    sendError(c, isE2eeMessageError(e) ? ErrorCode::kE2eeInvalidMessage : ErrorCode::kInvalidMessage, describe(e),
              e.requestType);
    return;
  }
  if (c.joinChecking && !std::holds_alternative<JoinMessage>(*parsed) &&
      !std::holds_alternative<ResumeMessage>(*parsed)) {
    // Its join is being checked (store pool): like a participant whose media is being
    // added, it is not in yet; a ping is answered, anything else waits for `joined`.
    if (std::holds_alternative<PingMessage>(*parsed)) {
      c.socket->sendText(pongMessage());
    } else {
      sendError(c, ErrorCode::kNotJoined, "join first");
    }
    return;
  }
  // docs/protocol.md: the first message must be `join`.
  if (c.state == State::kAwaitingJoin && !std::holds_alternative<JoinMessage>(*parsed) &&
      !std::holds_alternative<ResumeMessage>(*parsed)) {
    failConnection(c, ErrorCode::kAuthRequired, "the first message must be join");
    return;
  }
  try {
    std::visit([&](auto& m) { handle(id, c, m); }, *parsed);
  } catch (const std::exception& e) {
    // A store or audit fault (fail closed, H6): the request did not happen.
    log::error("request_failed", {{"code", "internal"}, {"room", c.roomId.empty() ? "-" : c.roomId},
                                  {"participant", c.participantId.empty() ? "-" : c.participantId}, {"error", e.what()}});
    auto again = connections_.find(id);
    if (again != connections_.end() && again->second.state != State::kClosed) {
      sendError(again->second, ErrorCode::kInternal, "server error");
    }
  }
}

void SignalingHub::onTooLarge(ConnectionId id) {
  auto it = connections_.find(id);
  if (it != connections_.end() && it->second.state != State::kClosed) {
    failConnection(it->second, ErrorCode::kMessageTooLarge, "message larger than 64 KiB");
  }
}

SignalingHub::Counts SignalingHub::counts() const {
  Counts out;
  for (const auto& [roomId, members] : rooms_) {
    size_t joined = 0;
    for (const auto& [pid, id] : members) {
      auto it = connections_.find(id);
      joined += it != connections_.end() && it->second.state == State::kJoined ? 1 : 0;
    }
    out.rooms += joined > 0 ? 1 : 0;
    out.participants += joined;
  }
  for (const auto& [id, c] : connections_) {
    out.waiting += c.state == State::kWaiting ? 1 : 0;
  }
  return out;
}

void SignalingHub::onJoinTimeout(ConnectionId id) {
  auto it = connections_.find(id);
  if (it != connections_.end() && it->second.state == State::kAwaitingJoin && !it->second.joinChecking) {
    failConnection(it->second, ErrorCode::kAuthRequired, "no join within 10 seconds");
  }
}

void SignalingHub::onDisconnected(ConnectionId id, std::string_view why) {
  auto it = connections_.find(id);
  if (it == connections_.end()) {
    return;
  }
  pendingJoins_.remove(id);
  if (holdForResume(it->second, why)) {
    return;  // expireGrace lets it go if its client does not come back
  }
  removeFromRoom(it->second, why);
  retireResumeToken(it->second, /*used=*/false);
  connections_.erase(it);
}

void SignalingHub::handle(ConnectionId id, Connection& c, JoinMessage& m) {
  if (c.state != State::kAwaitingJoin || c.joinChecking) {
    sendError(c, ErrorCode::kAlreadyJoined, "this socket already joined", "join");
    return;
  }
  // From here the socket is a participant (or closed): the participant caps bound it.
  pendingJoins_.remove(id);
  // Appointment-bound tokens live as long as the appointment's current end + grace, which
  // checkJoinState reads below (so they follow a reschedule).
  auto claims = tokens_.verify(m.token, ExpiryCheck::kDeferToAppointment);
  if (!claims) {
    log::info("join_refused", {{"reason", std::string("token_") + toString(claims.error())}});
    failConnection(c, claims.error() == TokenError::kExpired ? ErrorCode::kTokenExpired : ErrorCode::kTokenInvalid,
                   claims.error() == TokenError::kExpired ? "token expired" : "token invalid");
    return;
  }
  if (!withinJoinBudget(c, *claims)) {
    return;
  }
  // Kept with the participant for startMedia(); a bad announcement costs only itself.
  c.decoders = std::move(m.decoders);
  if (!m.decodersInvalid.empty()) {
    sendError(c, ErrorCode::kDecodersInvalid,
              m.decodersInvalid + " is malformed or too long; this browser's decoders are learnt from its answers instead",
              "join");
  }
  checkJoin(id, c, std::move(*claims), m.p2pCapable, m.e2eeCapable);
}

bool SignalingHub::withinJoinBudget(Connection& c, const JoinClaims& claims) {
  Micros now = clock_.now();
  if (joinBudgets_.size() >= 4096) {
    std::erase_if(joinBudgets_, [now](auto& entry) { return entry.second.idle(now); });
  }
  std::string key = claims.roomId + '\n' + claims.identity;
  auto [it, inserted] = joinBudgets_.try_emplace(key, kJoinsPerSecond, kJoinBurst);
  if (it->second.take(now)) {
    return true;
  }
  // Nothing audited, nothing replaced: the live participant of this identity stays.
  int retry = it->second.retryAfterSeconds(now);
  sendError(c, ErrorCode::kRateLimited,
            "too many joins with this invitation; try again in " + std::to_string(retry) + " s", "join");
  c.state = State::kClosed;
  c.socket->close(closeCodeFor(ErrorCode::kRateLimited), toString(ErrorCode::kRateLimited));
  return false;
}

void SignalingHub::continueJoin(ConnectionId id, Connection& c, JoinClaims& claims, bool p2pCapable,
                                bool e2eeCapable, JoinReading& read) {
  if (!read.error.empty()) {
    log::error("join_failed", {{"code", "internal"}, {"room", claims.roomId}, {"error", read.error}});
    sendError(c, ErrorCode::kInternal, "server error", "join");
    c.state = State::kClosed;
    c.socket->close(kCloseTryAgainLater, toString(ErrorCode::kInternal));
    return;
  }
  if (!read.room) {
    failConnection(c, ErrorCode::kRoomNotFound, "room not found");
    return;
  }
  const store::RoomRecord& room = *read.room;
  if (read.refusal) {
    refuseJoin(c, *read.refusal, room.id);
    return;
  }
  const bool e2eeRoom = admission_.e2eeRequired(room, read.tenant);
  // K6, docs/e2ee.md: no silent downgrade. A browser that cannot encrypt end to end does
  // not enter an E2EE room, not even its waiting room, and does not replace a live
  // participant of the same identity.
  if (e2eeRoom && !e2eeCapable) {
    log::info("join_refused", {{"reason", "e2ee_unsupported"}, {"room", room.id}});
    failConnection(c, ErrorCode::kE2eeUnsupported,
                   "This consultation is end-to-end encrypted, and this browser cannot do that. Please open the "
                   "link in a current version of Chrome, Edge, Firefox or Safari.");
    return;
  }
  if (draining_ && !roomLive(room.id)) {
    log::info("join_refused", {{"reason", "server_draining"}, {"room", room.id}});
    sendError(c, ErrorCode::kServerDraining, "the server is shutting down; try again shortly", "join");
    c.state = State::kClosed;
    c.socket->close(kCloseGoingAway, "server_draining");
    return;
  }
  // The same identity joining again (typically after a network drop) takes over: the
  // older socket learns why and is closed.
  Connection* older = byIdentity(room.id, claims.identity);
  if (older != nullptr) {
    log::info("participant_replaced", {{"room", room.id}, {"participant", older->participantId}});
    failConnection(*older, ErrorCode::kDuplicateIdentity, "the same identity joined from another connection");
  }
  if (auto full = capacityRefusal(room)) {
    refuseJoin(c, *full, room.id);
    return;
  }

  c.claims = std::move(claims);
  c.p2pCapable = p2pCapable;
  c.e2eeCapable = e2eeCapable;
  c.e2eeRoom = e2eeRoom;
  c.roomId = room.id;
  c.tenantId = room.tenantId;
  c.participantId = "p_" + randomHex(8);
  c.waitingRoomRoom = room.waitingRoom;
  participants_[c.participantId] = id;
  try {
    // Read once per join (the tenant's profile does not change under a running call).
    c.tenantPrefersP2p = !p2pPreferred_ && admission_.tenantPrefersP2p(room, read.tenant);
    admitOrQueue(id, c, room);
  } catch (const store::StoreFailure& e) {
    log::error("join_failed", {{"code", "internal"}, {"room", c.roomId}, {"error", e.what()}});
    participants_.erase(c.participantId);
    c.participantId.clear();
    c.roomId.clear();
    sendError(c, ErrorCode::kInternal, "server error", "join");
    c.state = State::kClosed;
    c.socket->close(kCloseTryAgainLater, toString(ErrorCode::kInternal));
  }
}

void SignalingHub::startMedia(ConnectionId id, Connection& c) {
  c.state = State::kJoining;
  c.mediaRequestedAt = clock_.now();
  rooms_[c.roomId][c.participantId] = id;
  participants_[c.participantId] = id;
  if (media_ == nullptr) {
    onAdded(c.participantId, fail(sfu::MediaError::kShuttingDown));
    return;
  }
  media_->openRoom(c.roomId);
  media_->addParticipant(c.roomId, c.participantId, {c.claims.canPublish, c.claims.canSubscribe}, c.decoders,
                         [this, pid = c.participantId](Result<Ok, sfu::MediaError> r) { onAdded(pid, r); });
}

void SignalingHub::onAdded(const std::string& participantId, Result<Ok, sfu::MediaError> result) {
  Connection* c = byParticipant(participantId);
  if (c == nullptr || c->state != State::kJoining) {
    return;  // the socket left (or the room ended) while the media plane was busy
  }
  if (!result) {
    log::error("join_failed", {{"code", "internal"}, {"room", c->roomId}, {"participant", participantId},
                               {"media_error", mediaErrorName(result.error())}});
    std::string roomId = c->roomId;
    rooms_[roomId].erase(participantId);
    participants_.erase(participantId);
    c->state = State::kAwaitingJoin;
    c->participantId.clear();
    c->roomId.clear();
    sendError(*c, ErrorCode::kInternal, "the media server could not add you", "join");
    return;
  }
  // H6: who entered which call, and when. Fail closed as admit does: a join that cannot be
  // recorded does not happen. The participant stays kJoining (nobody sees it arrive) until
  // its event is durable; the control thread does not wait for that.
  c->joinBeingRecorded = true;
  clinic::auditLater(audit_, actionFacts(*c, "join", cp::AuditOutcome::Success, "", false),
                     [this, participantId](std::exception_ptr failure) {
                       if (auto left = leavesAfterJoin_.extract(participantId); !left.empty()) {
                         // It left while its join was being written: a durable join gets
                         // its leave after it, a join that failed never happened.
                         if (!failure) {
                           const clinic::AuditFacts& f = left.mapped();
                           clinic::auditLater(audit_, f, clinic::logAuditFailure(f.what + " " + f.entity));
                         }
                         return;
                       }
                       Connection* c = byParticipant(participantId);
                       if (c == nullptr || c->state != State::kJoining) {
                         return;  // it left while its join was being recorded
                       }
                       c->joinBeingRecorded = false;
                       if (failure) {
                         std::string why = "unknown";
                         try {
                           std::rethrow_exception(failure);
                         } catch (const std::exception& e) {
                           why = e.what();
                         } catch (...) {
                         }
                         log::error("audit_failed", {{"code", "internal"}, {"room", c->roomId},
                                                     {"participant", participantId}, {"error", why}});
                         failConnection(*c, ErrorCode::kInternal, "the join could not be recorded");
                         return;
                       }
                       completeJoin(participantId, *c);
                     });
}

void SignalingHub::completeJoin(const std::string& participantId, Connection& cRef) {
  Connection* c = &cRef;
  // room_started before the participant counts as joined: the first one starts the call.
  if (!anyoneJoined(c->roomId)) {
    emitRoomEvent(webhooks::EventType::kRoomStarted, c->roomId, c->tenantId);
  }
  c->state = State::kJoined;
  c->joinedAt = nowSeconds();
  emitParticipantEvent(webhooks::EventType::kParticipantJoined, *c);
  std::vector<ParticipantView> others;
  for (auto& [pid, otherId] : rooms_[c->roomId]) {
    const Connection& other = connections_.at(otherId);
    if (pid != participantId && other.state == State::kJoined) {
      others.push_back(viewOf(other));
    }
  }
  // The mode goes in `joined` so a P2P client holds its media instead of publishing to the
  // SFU first; its peer (if any) follows in `media_mode` after participant_joined.
  std::string roomId = c->roomId;
  std::string mode = c->p2pCapable ? decideMediaMode(roomId) : "";
  c->mediaMode = mode;
  c->p2pPeer.clear();
  std::vector<IceServerView> iceServers = iceServers_ ? iceServers_(participantId) : std::vector<IceServerView>{};
  if (!iceServers.empty()) {
    countTurnCredentials();
  }
  // A guest admitted from the waiting room keeps the resume token it got there.
  const std::string& resumeToken =
      c->resumeToken.empty() ? rotateResumeToken(participants_.at(participantId), *c) : c->resumeToken;
  c->socket->sendText(joinedMessage(participantId, c->roomId, c->claims.identity, c->claims.role, others,
                                    std::move(iceServers), mode, resumeToken, c->e2eeRoom));
  countJoin(clock_.now() - c->mediaRequestedAt);
  broadcast(c->roomId, participantId, participantJoinedMessage(viewOf(*c)));
  updateMediaMode(roomId);
  if (isHost(*c) && (c->waitingRoomRoom || queues_.count(c->roomId) > 0)) {
    sendQueue(*c);
  }
  tellActiveSpeaker(*c);
  log::info("participant_joined", {{"room", c->roomId}, {"participant", participantId}, {"role", c->claims.role},
                                   {"token", c->claims.tokenId}});
  sendPendingCodecNotices(*c);
  if (c->pendingOffer) {
    auto [version, sdp] = std::move(*c->pendingOffer);
    c->pendingOffer.reset();
    c->socket->sendText(subscribeOfferMessage(sdp, version));
  }
}

void SignalingHub::handle(ConnectionId, Connection& c, PublishOfferMessage& m) {
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "join first", "publish_offer");
    return;
  }
  if (!c.claims.canPublish) {
    sendError(c, ErrorCode::kForbidden, "the token does not grant publish", "publish_offer");
    return;
  }
  media_->publish(c.roomId, c.participantId, std::move(m.sdp),
                  [this, pid = c.participantId](Result<std::string, sfu::MediaError> r) {
                    Connection* c = byParticipant(pid);
                    if (c == nullptr || c->state != State::kJoined) {
                      return;
                    }
                    if (!r) {
                      log::info("publish_refused", {{"room", c->roomId}, {"participant", pid},
                                                    {"code", toString(errorCodeFor(r.error()))}});
                      sendError(*c, errorCodeFor(r.error()), mediaErrorName(r.error()), "publish_offer");
                      return;
                    }
                    c->socket->sendText(publishAnswerMessage(*r));
                  });
}

void SignalingHub::handle(ConnectionId, Connection& c, SubscribeAnswerMessage& m) {
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "join first", "subscribe_answer");
    return;
  }
  c.answeredVersion = std::max(c.answeredVersion, m.version);
  media_->answerSubscription(c.roomId, c.participantId, m.version, std::move(m.sdp),
                             [this, pid = c.participantId](Result<Ok, sfu::MediaError> r) {
                               Connection* c = byParticipant(pid);
                               if (c == nullptr || c->state != State::kJoined || r) {
                                 return;
                               }
                               sendError(*c, errorCodeFor(r.error()), mediaErrorName(r.error()), "subscribe_answer");
                             });
}

void SignalingHub::handle(ConnectionId, Connection& c, TrackStateMessage& m) {
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "join first", "track_state");
    return;
  }
  (m.kind == TrackKind::kAudio ? c.audioMuted : c.videoMuted) = m.muted;
  broadcast(c.roomId, c.participantId, trackStateMessage(c.participantId, m.kind, m.muted));
}

void SignalingHub::handle(ConnectionId, Connection& c, LeaveMessage&) {
  retireResumeToken(c, /*used=*/false);
  if (c.state == State::kWaiting) {
    forgetQueuePlace(c);
  }
  removeFromRoom(c, "leave");
  c.state = State::kClosed;
  c.socket->close(kCloseNormal, "leave");
}

void SignalingHub::handle(ConnectionId, Connection& c, PingMessage&) { c.socket->sendText(pongMessage()); }

void SignalingHub::sendError(Connection& c, ErrorCode code, std::string_view message, std::string_view requestType) {
  c.socket->sendText(errorMessage(code, message, requestType));
}

void SignalingHub::failConnection(Connection& c, ErrorCode code, std::string_view message) {
  log::info("signaling_error", {{"code", toString(code)}, {"room", c.roomId.empty() ? "-" : c.roomId},
                                {"participant", c.participantId.empty() ? "-" : c.participantId}});
  sendError(c, code, message);
  removeFromRoom(c, toString(code));
  c.state = State::kClosed;
  c.socket->close(closeCodeFor(code), toString(code));
}

void SignalingHub::removeFromRoom(Connection& c, std::string_view reason) {
  if (c.state == State::kWaiting) {
    leaveQueue(c);
    participants_.erase(c.participantId);
    c.state = State::kAwaitingJoin;
    queueChanged(c.roomId);
    return;
  }
  if (c.state != State::kJoining && c.state != State::kJoined) {
    return;
  }
  auditLeave(c, reason);
  bool wasJoined = c.state == State::kJoined;
  std::string roomId = c.roomId;
  std::string pid = c.participantId;
  auto room = rooms_.find(roomId);
  if (room != rooms_.end()) {
    room->second.erase(pid);
    if (room->second.empty()) {
      rooms_.erase(room);
    }
  }
  participants_.erase(pid);
  quality_.forgetParticipant(pid);
  c.state = State::kAwaitingJoin;
  if (media_ != nullptr) {
    media_->removeParticipant(roomId, pid);
  }
  if (wasJoined) {
    broadcast(roomId, pid, participantLeftMessage(pid));
    log::info("participant_left", {{"room", roomId}, {"participant", pid}, {"reason", reason}});
    updateMediaMode(roomId);
    emitParticipantEvent(webhooks::EventType::kParticipantLeft, c, "", reason);
    if (!anyoneJoined(roomId)) {
      emitRoomEvent(webhooks::EventType::kRoomFinished, roomId, c.tenantId);
    }
  }
  if (rooms_.count(roomId) == 0) {
    sfuRooms_.erase(roomId);
    quality_.forgetRoom(roomId);
    if (history_ != nullptr) {
      history_->roomEnded(roomId);
    }
    activeSpeakers_.erase(roomId);
  }
}

void SignalingHub::auditLeave(const Connection& c, std::string_view reason) {
  // A leave cannot be refused; a failing audit is logged loudly instead. `reason` is a
  // code ("leave", "media_failed", a close reason), never personal data.
  std::string what = "leave:" + std::string(reason);
  if (c.state == State::kJoined) {
    auditAction(c, what, cp::AuditOutcome::Success, "", false);
  } else if (c.state == State::kJoining && c.joinBeingRecorded) {
    leavesAfterJoin_[c.participantId] = actionFacts(c, what, cp::AuditOutcome::Success, "", false);
  }
}

void SignalingHub::broadcast(const std::string& roomId, const std::string& exceptParticipant, const std::string& text) {
  auto room = rooms_.find(roomId);
  if (room == rooms_.end()) {
    return;
  }
  for (auto& [pid, id] : room->second) {
    Connection& c = connections_.at(id);
    if (pid != exceptParticipant && c.state == State::kJoined) {
      c.socket->sendText(text);
    }
  }
}

SignalingHub::Connection* SignalingHub::byParticipant(const std::string& participantId) {
  auto it = participants_.find(participantId);
  if (it == participants_.end()) {
    return nullptr;
  }
  auto c = connections_.find(it->second);
  return c == connections_.end() ? nullptr : &c->second;
}

ParticipantView SignalingHub::viewOf(const Connection& c) const {
  return {c.participantId, c.claims.identity, c.claims.name, c.claims.role, c.audioMuted, c.videoMuted,
          c.e2eePublicKey};
}

std::vector<LiveParticipant> SignalingHub::participants(const std::string& roomId) const {
  std::vector<LiveParticipant> out;
  auto room = rooms_.find(roomId);
  if (room == rooms_.end()) {
    return out;
  }
  for (auto& [pid, id] : room->second) {
    const Connection& c = connections_.at(id);
    if (c.state == State::kJoined) {
      out.push_back({viewOf(c), c.joinedAt});
    }
  }
  return out;
}

void SignalingHub::endRoom(const std::string& roomId, std::string_view reason, const std::string& by,
                           bool announce) {
  // The server stopping ends calls but not the consultation: its people come back after
  // the restart.
  if (webhooks_ != nullptr && announce && reason != "server_shutdown") {
    // The tenant decides whose endpoints hear of it; nobody may be left in the room to ask.
    try {
      auto stored = store_.findRoom(roomId);
      emitRoomEvent(webhooks::EventType::kConsultationEnded, roomId, stored ? stored->tenantId : "", by, reason);
    } catch (const std::exception& e) {
      log::error("webhook_event_lost", {{"type", "consultation_ended"}, {"room", roomId}, {"error", e.what()}});
    }
  }
  // The waiting leave too: room_ended tells them the consultation is over.
  if (auto queue = queues_.find(roomId); queue != queues_.end()) {
    auto waiting = std::move(queue->second);
    queues_.erase(queue);
    std::string text = roomEndedMessage(reason);
    for (ConnectionId wid : waiting) {
      Connection& w = connections_.at(wid);
      participants_.erase(w.participantId);
      w.socket->sendText(text);
      w.state = State::kClosed;
      w.socket->close(closeCodeFor(ErrorCode::kRoomEnded), "room_ended");
    }
  }
  auto room = rooms_.find(roomId);
  if (room != rooms_.end()) {
    std::string text = roomEndedMessage(reason);
    auto members = std::move(room->second);
    rooms_.erase(room);
    quality_.forgetRoom(roomId);
    if (history_ != nullptr) {
      history_->roomEnded(roomId);
    }
    activeSpeakers_.erase(roomId);
    std::string tenantId;
    bool anyoneLeft = false;
    for (auto& [pid, id] : members) {
      Connection& c = connections_.at(id);
      participants_.erase(pid);
      auditLeave(c, reason);
      if (c.state == State::kJoined) {
        emitParticipantEvent(webhooks::EventType::kParticipantLeft, c, "", reason);
        tenantId = c.tenantId;
        anyoneLeft = true;
      }
      // Everyone leaves at once: no participant_left, just room_ended and the close.
      if (c.state == State::kJoined) {
        c.socket->sendText(text);
      }
      c.state = State::kClosed;
      c.socket->close(closeCodeFor(ErrorCode::kRoomEnded), "room_ended");
    }
    // Also when not announced (another node ended it): that node sends room_finished only
    // for the people it had, so with people on both it is sent twice, never not at all.
    if (anyoneLeft) {
      emitRoomEvent(webhooks::EventType::kRoomFinished, roomId, tenantId, "", reason);
    }
  }
  sfuRooms_.erase(roomId);
  if (media_ != nullptr) {
    media_->closeRoom(roomId);
  }
}

bool SignalingHub::roomLive(const std::string& roomId) const {
  auto room = rooms_.find(roomId);
  auto queue = queues_.find(roomId);
  return (room != rooms_.end() && !room->second.empty()) || (queue != queues_.end() && !queue->second.empty());
}

size_t SignalingHub::liveRoomCount() const {
  std::unordered_set<std::string> live;
  for (const auto& [roomId, members] : rooms_) {
    if (!members.empty()) {
      live.insert(roomId);
    }
  }
  for (const auto& [roomId, waiting] : queues_) {
    if (!waiting.empty()) {
      live.insert(roomId);
    }
  }
  return live.size();
}

void SignalingHub::closeAll() {
  // A waiting guest's consultation is not over when the server stops: it learns nothing
  // (no room_ended, which would tell it about the room) and is just disconnected with
  // "going away" below, so its page reconnects and waits again after the restart.
  queues_.clear();
  std::vector<std::string> live;
  for (auto& [roomId, members] : rooms_) {
    live.push_back(roomId);
  }
  for (auto& roomId : live) {
    endRoom(roomId, "server_shutdown");
  }
  for (auto& [id, c] : connections_) {
    if (c.state != State::kClosed) {
      c.state = State::kClosed;
      c.socket->close(kCloseGoingAway, "server_shutdown");
    }
  }
}

void SignalingHub::onSubscribeOffer(const std::string& roomId, const std::string& participantId, uint32_t version,
                                    std::string sdp) {
  Connection* c = byParticipant(participantId);
  if (c == nullptr || c->roomId != roomId) {
    return;
  }
  c->offeredVersion = version;
  c->offeredSdp = sdp;
  c->offeredWhileHeld = c->held != nullptr;
  if (c->state == State::kJoining) {
    c->pendingOffer.emplace(version, std::move(sdp));
  } else if (c->state == State::kJoined) {
    c->socket->sendText(subscribeOfferMessage(sdp, version));
  }
}

void SignalingHub::onMediaFailed(const std::string& roomId, const std::string& participantId, std::string reason) {
  log::warn("media_failed", {{"room", roomId}, {"participant", participantId}, {"reason", reason}});
  Connection* c = byParticipant(participantId);
  if (c == nullptr || c->roomId != roomId || (c->state != State::kJoined && c->state != State::kJoining)) {
    return;  // already gone: its socket closed first and removeFromRoom cleaned the media plane
  }
  // Its transports are dead (ICE consent or DTLS timed out). Keeping it would leave a frozen
  // tile with everyone else, so it leaves the room now (the others get participant_left), is
  // told why, and its socket closes with 1011 — not a fatal 4xxx code — so the client joins
  // again on a fresh socket with fresh transports and the same token.
  sendError(*c, ErrorCode::kMediaFailed, reason);
  removeFromRoom(*c, "media_failed");
  c->state = State::kClosed;
  c->socket->close(kCloseMediaFailed, "media_failed");
}

}  // namespace medrtc::signaling
