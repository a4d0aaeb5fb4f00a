// The waiting room and the host's controls of SignalingHub (docs/consultation-api.md
// "Waiting room"): the live queue, who may admit, deny, mute, remove and end, and chat.
// What a decision stores and audits is clinic::Admission's (clinic/admission.hpp); this
// file only speaks the protocol around it.
// Log lines carry ids only; names and chat text never reach a log (H7).
#include "log/log.hpp"

#include <algorithm>
#include <functional>

#include "clinic/appointment_lifecycle.hpp"
#include "clinic/clinic_audit.hpp"
#include "clinic/refusal_audit.hpp"
#include "clinic/rfc3339.hpp"
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

namespace {

// Undoes a mark (a guest being admitted, a room being ended) when the call that was to
// hand it to a completion throws first; release() once the completion owns it.
class MarkGuard {
 public:
  explicit MarkGuard(std::function<void()> undo) : undo_(std::move(undo)) {}
  ~MarkGuard() {
    if (undo_) {
      undo_();
    }
  }
  MarkGuard(const MarkGuard&) = delete;
  MarkGuard& operator=(const MarkGuard&) = delete;
  void release() { undo_ = nullptr; }

 private:
  std::function<void()> undo_;
};

}  // namespace

namespace cp = compliance;

namespace {

constexpr size_t kMaxChatChars = 2000;

size_t chatChars(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) {
    n += (ch & 0xC0) != 0x80;
  }
  return n;
}

}  // namespace

bool SignalingHub::isHost(const Connection& c) const { return c.state == State::kJoined && c.claims.role == "host"; }

SignalingHub::Connection* SignalingHub::byIdentity(const std::string& roomId, const std::string& identity) {
  if (auto members = rooms_.find(roomId); members != rooms_.end()) {
    for (auto& [pid, otherId] : members->second) {
      Connection& other = connections_.at(otherId);
      if (other.claims.identity == identity) {
        return &other;
      }
    }
  }
  if (auto queue = queues_.find(roomId); queue != queues_.end()) {
    for (ConnectionId wid : queue->second) {
      Connection& other = connections_.at(wid);
      if (other.claims.identity == identity) {
        return &other;
      }
    }
  }
  return nullptr;
}

SignalingHub::Connection* SignalingHub::waitingGuest(const std::string& roomId, const std::string& guestId) {
  auto queue = queues_.find(roomId);
  if (queue == queues_.end() || guestId.empty()) {
    return nullptr;
  }
  for (ConnectionId id : queue->second) {
    Connection& w = connections_.at(id);
    if (w.guestId == guestId && w.state == State::kWaiting) {
      return &w;
    }
  }
  return nullptr;
}

void SignalingHub::admitOrQueue(ConnectionId id, Connection& c, const store::RoomRecord& room) {
  clinic::EntryDecision decision = admission_.enter(room, partyOf(c));
  c.guestId = decision.guestId;
  switch (decision.entry) {
    case clinic::Entry::kDenied: dismiss(c, ErrorCode::kDenied, deniedMessage()); return;
    case clinic::Entry::kRemoved: dismiss(c, ErrorCode::kRemoved, removedMessage()); return;
    case clinic::Entry::kWait: enterQueue(id, c); return;
    case clinic::Entry::kJoin:
      if (!c.guestId.empty() && admittingGuests_.contains(c.guestId)) {
        enterQueue(id, c);  // the admit lands in a moment, and finds it here (waitingGuest)
        return;
      }
      startMedia(id, c);
      return;
  }
}

void SignalingHub::enterQueue(ConnectionId id, Connection& c) {
  // The line is ordered by when each guest took its place, kept in the stored waiting
  // record's updated_at (set when the record was made: the patient opened the link; 0 once
  // it gave up its place, forgetQueuePlace), so a guest who reconnects — after a dropped
  // socket or a server restart — is put back where it stood, not at the end.
  int64_t since = 0;
  if (!c.guestId.empty()) {
    std::optional<store::GuestRecord> guest = store_.findGuest(c.guestId);
    if (guest && guest->updatedAt > 0) {
      since = guest->updatedAt;
    } else if (guest) {
      since = nowSeconds();
      store_.transitionGuest(c.guestId, "waiting", "waiting", since);
    }
  }
  c.state = State::kWaiting;
  c.waitingSince = since > 0 ? since : nowSeconds();
  c.sentPosition = 0;
  if (c.resumeToken.empty()) {
    rotateResumeToken(id, c);  // sent with the position: a waiting guest can resume too
  }
  // Behind everyone who took their place at the same time or earlier.
  std::vector<ConnectionId>& line = queues_[c.roomId];
  line.insert(std::find_if(line.begin(), line.end(),
                           [&](ConnectionId wid) { return connections_.at(wid).waitingSince > c.waitingSince; }),
              id);
  emitParticipantEvent(webhooks::EventType::kWaitingRoomEntered, c);
  log::info("participant_waiting", {{"room", c.roomId}, {"participant", c.participantId}, {"role", c.claims.role}});
  queueChanged(c.roomId);
}

void SignalingHub::forgetQueuePlace(Connection& c) {
  if (c.guestId.empty()) {
    return;
  }
  try {
    // updated_at 0: not in line; the next wait starts at the end (enterQueue).
    store_.transitionGuest(c.guestId, "waiting", "waiting", 0);
  } catch (const std::exception& e) {
    // The guest left anyway; a kept place only means it would come back ahead.
    log::error("queue_place_not_released", {{"room", c.roomId}, {"guest", c.guestId}, {"error", e.what()}});
  }
}

void SignalingHub::leaveQueue(Connection& c) {
  auto queue = queues_.find(c.roomId);
  if (queue == queues_.end()) {
    return;
  }
  auto& ids = queue->second;
  ids.erase(std::remove_if(ids.begin(), ids.end(),
                           [&](ConnectionId wid) { return &connections_.at(wid) == &c; }),
            ids.end());
  if (ids.empty()) {
    queues_.erase(queue);
  }
}

void SignalingHub::queueChanged(const std::string& roomId) {
  if (auto queue = queues_.find(roomId); queue != queues_.end()) {
    size_t position = 0;
    for (ConnectionId wid : queue->second) {
      Connection& w = connections_.at(wid);
      ++position;
      if (w.sentPosition != position) {
        w.sentPosition = position;
        w.socket->sendText(waitingMessage(position, w.resumeToken));
      }
    }
  }
  if (auto members = rooms_.find(roomId); members != rooms_.end()) {
    for (auto& [pid, hid] : members->second) {
      Connection& h = connections_.at(hid);
      if (isHost(h)) {
        sendQueue(h);
      }
    }
  }
}

void SignalingHub::sendQueue(Connection& host) {
  std::vector<QueueEntryView> entries;
  if (auto queue = queues_.find(host.roomId); queue != queues_.end()) {
    for (ConnectionId wid : queue->second) {
      const Connection& w = connections_.at(wid);
      entries.push_back({w.participantId, w.claims.name, w.claims.role, clinic::formatRfc3339(w.waitingSince)});
    }
  }
  host.socket->sendText(waitingRoomMessage(entries));
}

clinic::AuditFacts SignalingHub::actionFacts(const Connection& actor, std::string_view what,
                                             cp::AuditOutcome outcome, const std::string& target, bool alert) {
  clinic::AuditFacts f;
  f.type = alert ? cp::dicom::securityAlert() : cp::dicom::applicationActivity();
  f.action = cp::AuditAction::Execute;
  f.outcome = outcome;
  f.what = std::string(what);
  f.actorId = actor.claims.identity;
  f.actorRole = actor.claims.role;
  f.entity = "Room/" + actor.roomId;
  if (!target.empty()) {
    f.secondEntity = target;
  }
  return f;
}

void SignalingHub::auditAction(const Connection& actor, std::string_view what, cp::AuditOutcome outcome,
                               const std::string& target, bool alert) {
  // Evidence of something that cannot be refused or undone (a refusal, a leave): the
  // control thread does not wait for the disk, and a failed write is logged loudly.
  clinic::auditLater(audit_, actionFacts(actor, what, outcome, target, alert),
                     clinic::logAuditFailure(std::string(what) + " room=" + (actor.roomId.empty() ? "-" : actor.roomId)));
}

bool SignalingHub::refuseUnlessHost(Connection& c, std::string_view requestType, const std::string& target) {
  if (isHost(c)) {
    return false;
  }
  if (c.state == State::kJoining && c.claims.role == "host") {
    sendError(c, ErrorCode::kNotJoined, "join first", requestType);
    return true;
  }
  // A waiting patient can send thousands of these a second: the first per participant
  // in a window is audited and logged, the rest counted into one summary (issue 10 item 6).
  bool first = true;
  try {
    if (refusals_ != nullptr) {
      clinic::AuditFacts f;
      f.type = cp::dicom::securityAlert();
      f.outcome = cp::AuditOutcome::MinorFailure;
      f.what = std::string(requestType) + "_refused";
      f.actorId = c.claims.identity;
      f.actorRole = c.claims.role;
      f.entity = "Room/" + c.roomId;
      // The target differs from request to request; the summary keeps the first one's.
      f.secondEntity = target.empty() ? "" : "Participant/" + target;
      first = refusals_->refuse(f, "Room/" + c.roomId + "/" + c.claims.identity);
    } else {
      auditAction(c, std::string(requestType) + "_refused", cp::AuditOutcome::MinorFailure,
                  target.empty() ? "" : "Participant/" + target, true);
    }
  } catch (const std::exception& e) {
    log::error("audit_failed", {{"code", "internal"}, {"error", e.what()}});
  }
  if (first) {
    log::warn("host_only_request_refused", {{"type", requestType}, {"room", c.roomId.empty() ? "-" : c.roomId},
                                            {"participant", c.participantId.empty() ? "-" : c.participantId},
                                            {"role", c.claims.role}});
  }
  sendError(c, ErrorCode::kForbidden, "only the host may do this", requestType);
  return true;
}

SignalingHub::Connection* SignalingHub::targetOf(Connection& host, const std::string& participantId,
                                                 std::string_view requestType) {
  Connection* t = byParticipant(participantId);
  if (t == nullptr || t->roomId != host.roomId || t == &host) {
    sendError(host, ErrorCode::kParticipantNotFound, "no such participant in this room", requestType);
    return nullptr;
  }
  return t;
}

bool SignalingHub::decisionStands(Connection* host, std::string_view requestType, const clinic::Decided& d) {
  if (d.failure) {
    // Fail closed (H6): clinic::Admission undid the stored change, so nothing happened.
    std::string why = "unknown";
    try {
      std::rethrow_exception(d.failure);
    } catch (const std::exception& e) {
      why = e.what();
    } catch (...) {
    }
    log::error("host_request_failed", {{"type", requestType}, {"code", "internal"}, {"room", host ? host->roomId : "-"},
                                       {"error", why}});
    if (host != nullptr && host->state != State::kClosed) {
      sendError(*host, ErrorCode::kInternal, "server error", requestType);
    }
    return false;
  }
  if (d.alreadyDecided) {
    if (host != nullptr && host->state != State::kClosed) {
      sendError(*host, ErrorCode::kAlreadyAdmitted, "another host decided first", requestType);
    }
    return false;
  }
  return true;
}

void SignalingHub::dismiss(Connection& c, ErrorCode code, const std::string& text) {
  log::info("participant_dismissed", {{"code", toString(code)}, {"room", c.roomId}, {"participant", c.participantId}});
  c.socket->sendText(text);
  removeFromRoom(c, toString(code));
  participants_.erase(c.participantId);
  c.state = State::kClosed;
  c.socket->close(closeCodeFor(code), toString(code));
}

void SignalingHub::handle(ConnectionId, Connection& c, AdmitMessage& m) {
  if (refuseUnlessHost(c, "admit", m.participantId)) {
    return;
  }
  Connection* t = targetOf(c, m.participantId, "admit");
  if (t == nullptr) {
    return;
  }
  if (t->state == State::kJoining || t->state == State::kJoined) {
    sendError(c, ErrorCode::kAlreadyAdmitted, "this participant was already admitted", "admit");
    return;
  }
  if (t->state != State::kWaiting) {
    sendError(c, ErrorCode::kParticipantNotFound, "this participant is not waiting", "admit");
    return;
  }
  if (!t->guestId.empty() && admittingGuests_.contains(t->guestId)) {
    // A double click, or a second host: the first admit is being recorded, and this one
    // must not clear its mark (a reconnecting guest would enter before it is durable).
    sendError(c, ErrorCode::kAlreadyAdmitted, "this participant is being admitted", "admit");
    return;
  }
  if (refuseAdmission(c, *t)) {
    return;  // revoked, cancelled or expired since it joined the queue
  }
  // Stored now, confirmed when its audit event is durable (clinic/admission.hpp): the
  // guest enters the call only then. Either connection may be gone by that time.
  std::string hostId = c.participantId;
  std::string guestParticipant = t->participantId;
  std::string guestId = t->guestId;
  std::string roomId = t->roomId;
  webhooks::Event admitted = participantEvent(webhooks::EventType::kAdmitted, *t, hostId);
  if (!guestId.empty()) {
    admittingGuests_.insert(guestId);
  }
  // The marks are cleared by the completion; a throw before it was handed over (the audit
  // hand-off failing) clears them here, or they would block this guest or room for good.
  MarkGuard admitting{[this, guestId] { admittingGuests_.erase(guestId); }};
  admission_.admit(partyOf(c), t->guestId, partyOf(*t),
                   [this, hostId, guestParticipant, guestId, roomId, admitted](clinic::Decided d) mutable {
    admittingGuests_.erase(guestId);
    Connection* host = byParticipant(hostId);
    if (!decisionStands(host, "admit", d)) {
      return;
    }
    emitEvent(std::move(admitted));  // stored and audited: the decision stands, guest or not
    Connection* guest = byParticipant(guestParticipant);
    if (guest == nullptr || guest->state != State::kWaiting) {
      // It reconnected meanwhile (a new participant id, back in the queue because the
      // admit was not yet durable) or left: the stored admission lets it in next time.
      guest = waitingGuest(roomId, guestId);
      if (guest == nullptr) {
        return;
      }
      guestParticipant = guest->participantId;
    }
    log::info("participant_admitted", {{"room", guest->roomId}, {"participant", guestParticipant}, {"by", hostId}});
    leaveQueue(*guest);
    startMedia(participants_.at(guestParticipant), *guest);
    queueChanged(roomId);
  });
  admitting.release();
}

void SignalingHub::handle(ConnectionId, Connection& c, DenyMessage& m) {
  if (refuseUnlessHost(c, "deny", m.participantId)) {
    return;
  }
  Connection* t = targetOf(c, m.participantId, "deny");
  if (t == nullptr) {
    return;
  }
  if (t->state == State::kJoining || t->state == State::kJoined) {
    sendError(c, ErrorCode::kAlreadyAdmitted, "this participant was already admitted", "deny");
    return;
  }
  if (t->state != State::kWaiting) {
    sendError(c, ErrorCode::kParticipantNotFound, "this participant is not waiting", "deny");
    return;
  }
  std::string hostId = c.participantId;
  std::string guestParticipant = t->participantId;
  webhooks::Event denied = participantEvent(webhooks::EventType::kDenied, *t, hostId);
  admission_.deny(partyOf(c), t->guestId, partyOf(*t),
                  [this, hostId, guestParticipant, denied](clinic::Decided d) mutable {
    if (!decisionStands(byParticipant(hostId), "deny", d)) {
      return;
    }
    emitEvent(std::move(denied));  // stored and audited: announced even if the guest has gone
    if (Connection* guest = byParticipant(guestParticipant); guest != nullptr && guest->state != State::kClosed) {
      dismiss(*guest, ErrorCode::kDenied, deniedMessage());
    }
  });
}

void SignalingHub::handle(ConnectionId, Connection& c, MuteParticipantMessage& m) {
  if (refuseUnlessHost(c, "mute_participant", m.participantId)) {
    return;
  }
  Connection* t = targetOf(c, m.participantId, "mute_participant");
  if (t == nullptr) {
    return;
  }
  if (t->state != State::kJoined) {
    sendError(c, ErrorCode::kParticipantNotFound, "this participant is not in the call", "mute_participant");
    return;
  }
  (m.kind == TrackKind::kAudio ? t->audioMuted : t->videoMuted) = true;
  // Everyone, the muted one included: its client follows and mutes locally.
  broadcast(c.roomId, "", trackStateMessage(t->participantId, m.kind, true));
  log::info("participant_muted", {{"room", c.roomId}, {"participant", t->participantId}, {"kind", toString(m.kind)},
                                  {"by", c.participantId}});
}

void SignalingHub::handle(ConnectionId, Connection& c, RemoveParticipantMessage& m) {
  if (refuseUnlessHost(c, "remove_participant", m.participantId)) {
    return;
  }
  Connection* t = targetOf(c, m.participantId, "remove_participant");
  if (t == nullptr) {
    return;
  }
  // Stored, so the same token cannot come back in.
  std::string hostId = c.participantId;
  std::string targetId = t->participantId;
  admission_.remove(partyOf(c), t->guestId, partyOf(*t), [this, hostId, targetId](clinic::Decided d) {
    if (!decisionStands(byParticipant(hostId), "remove_participant", d)) {
      return;
    }
    if (Connection* target = byParticipant(targetId); target != nullptr && target->state != State::kClosed) {
      dismiss(*target, ErrorCode::kRemoved, removedMessage());
    }
  });
}

void SignalingHub::handle(ConnectionId, Connection& c, EndConsultationMessage&) {
  if (refuseUnlessHost(c, "end_consultation", "")) {
    return;
  }
  std::string roomId = c.roomId;
  std::string hostId = c.participantId;
  if (!endingRooms_.insert(roomId).second) {
    sendError(c, ErrorCode::kAlreadyAdmitted, "the consultation is already being ended", "end_consultation");
    return;
  }
  MarkGuard ending{[this, roomId] { endingRooms_.erase(roomId); }};
  admission_.end(partyOf(c), [this, roomId, hostId](clinic::Decided d) {
    endingRooms_.erase(roomId);
    if (!decisionStands(byParticipant(hostId), "end_consultation", d)) {
      return;
    }
    log::info("consultation_ended", {{"room", roomId}, {"by", hostId}, {"invitations_revoked", d.revoked}});
    endRoom(roomId, "ended_by_host", hostId);
  });
  ending.release();
}

void SignalingHub::handle(ConnectionId, Connection& c, ChatMessage& m) {
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "chat is for participants in the call", "chat");
    return;
  }
  if (c.e2eeRoom || m.hasCiphertext) {
    relayEncryptedChat(c, m);
    return;
  }
  if (chatChars(m.text) > kMaxChatChars) {
    sendError(c, ErrorCode::kChatTooLong, "chat messages are limited to 2000 characters", "chat");
    return;
  }
  // Not stored, not logged: relayed to everyone in the call, the sender included.
  broadcast(c.roomId, "", chatMessage(c.participantId, c.claims.name, m.text, clinic::formatRfc3339(nowSeconds())));
}

size_t SignalingHub::waitingCount(const std::string& roomId) const {
  auto queue = queues_.find(roomId);
  return queue == queues_.end() ? 0 : queue->second.size();
}

}  // namespace medrtc::signaling
