#include "clinic/admission.hpp"
#include "log/log.hpp"


#include "clinic/appointment_lifecycle.hpp"
#include "clinic/clinic_audit.hpp"
#include "compliance/rules.hpp"

namespace medrtc::clinic {

namespace cp = compliance;

// Log lines carry room and guest ids only — never names or identities of people.

std::string_view toString(GuestState s) {
  switch (s) {
    case GuestState::kWaiting: return "waiting";
    case GuestState::kAdmitted: return "admitted";
    case GuestState::kDenied: return "denied";
    case GuestState::kRemoved: return "removed";
  }
  return "waiting";
}

std::optional<GuestState> guestStateFrom(std::string_view stored) {
  for (GuestState s : {GuestState::kWaiting, GuestState::kAdmitted, GuestState::kDenied, GuestState::kRemoved}) {
    if (toString(s) == stored) {
      return s;
    }
  }
  return std::nullopt;
}

Admission::Admission(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

int64_t Admission::nowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
}

bool Admission::thirdParticipantWaits(const store::RoomRecord& room) {
  if (!profiles_) {
    return true;
  }
  store::TenantRecord tenant;  // an integrator room (no tenant): the node's profile alone
  if (!room.tenantId.empty()) {
    auto found = store_.findTenant(room.tenantId);
    if (!found) {
      return true;
    }
    tenant = std::move(*found);
  }
  auto governing = profiles_(tenant);
  if (!governing) {
    // The tenant names a profile that cannot be loaded: its rules are unknown, so wait.
    log::error("admission_policy_unknown", {{"room", room.id}, {"error", governing.error()}});
    return true;
  }
  bool governed = false;
  for (const cp::PolicyProfile* p : {governing->tenant.get(), governing->node.get()}) {
    if (p == nullptr) {
      continue;
    }
    governed = true;
    if (cp::checkAction(*p, cp::action::AdmitThirdParticipant{/*hostApproved=*/false})) {
      return true;
    }
  }
  return !governed;
}

bool Admission::tenantPrefersP2p(const store::RoomRecord& room) {
  if (!profiles_ || room.tenantId.empty()) {
    return false;
  }
  return tenantPrefersP2p(room, store_.findTenant(room.tenantId));
}

bool Admission::tenantPrefersP2p(const store::RoomRecord& room, const std::optional<store::TenantRecord>& tenant) {
  if (!profiles_ || room.tenantId.empty()) {
    return false;
  }
  if (!tenant || tenant->policyProfile.empty()) {
    return false;
  }
  auto governing = profiles_(*tenant);
  if (!governing) {
    log::error("media_policy_unknown", {{"room", room.id}, {"error", governing.error()}});
    return false;
  }
  return governing->tenant != nullptr && governing->tenant->p2pPreferredOneToOne;
}

bool Admission::e2eeRequired(const store::RoomRecord& room, const std::optional<store::TenantRecord>& tenant) {
  if (!profiles_) {
    return false;
  }
  // An integrator room (no tenant), or a tenant not found: the node's profile alone.
  store::TenantRecord governed = (tenant && !room.tenantId.empty()) ? *tenant : store::TenantRecord{};
  auto governing = profiles_(governed);
  if (!governing) {
    // Fail closed: a profile that cannot be read may be one that requires E2EE.
    log::error("e2ee_policy_unknown", {{"room", room.id}, {"error", governing.error()}});
    return true;
  }
  return (governing->tenant != nullptr && governing->tenant->e2eeRequired) ||
         (governing->node != nullptr && governing->node->e2eeRequired);
}

EntryDecision Admission::enter(const store::RoomRecord& room, const Party& joiner) {
  if (joiner.role == "host") {
    return {Entry::kJoin, ""};
  }
  // K3: a patient always waits for the doctor. Interpreters and carers are third
  // participants (K12): the profile decides. Integrator guests wait where the room says so.
  bool waits = joiner.role == "patient"                                  ? true
               : (joiner.role == "interpreter" || joiner.role == "carer") ? thirdParticipantWaits(room)
                                                                          : room.waitingRoom;
  std::optional<store::GuestRecord> guest = store_.findGuestByIdentity(room.id, joiner.identity);
  if (!guest && waits) {
    store::GuestRecord g;
    g.roomId = room.id;
    g.identity = joiner.identity;
    g.role = joiner.role;
    g.state = std::string(toString(GuestState::kWaiting));
    g.tenantId = room.tenantId;
    g.createdAt = nowSeconds();
    g.updatedAt = g.createdAt;
    guest = store_.createGuest(g);
  }
  if (!guest) {
    return {Entry::kJoin, ""};
  }
  std::optional<GuestState> state = guestStateFrom(guest->state);
  if (!state) {
    throw store::StoreFailure("guest " + guest->id + " has an unknown admission state");
  }
  switch (*state) {
    case GuestState::kDenied: return {Entry::kDenied, guest->id};
    case GuestState::kRemoved: return {Entry::kRemoved, guest->id};
    case GuestState::kWaiting: return {waits ? Entry::kWait : Entry::kJoin, guest->id};
    case GuestState::kAdmitted: return {Entry::kJoin, guest->id};
  }
  return {Entry::kWait, guest->id};
}

void Admission::audit(const Party& host, std::string_view what, const std::string& target,
                      cp::AuditSink::Completion done) {
  AuditFacts f;
  f.type = cp::dicom::applicationActivity();
  f.action = cp::AuditAction::Execute;
  f.outcome = cp::AuditOutcome::Success;
  f.what = std::string(what);
  f.actorId = host.identity;
  f.actorRole = host.role;
  f.entity = "Room/" + host.roomId;
  if (!target.empty()) {
    f.secondEntity = "Participant/" + target;
  }
  clinic::auditLater(audit_, f, std::move(done));
}

void Admission::undo(const std::string& guestId, GuestState from, GuestState back) {
  try {
    if (!store_.transitionGuest(guestId, std::string(toString(from)), std::string(toString(back)), nowSeconds())) {
      log::error("admission_undo_conflict", {{"guest", guestId}});
    }
  } catch (const std::exception& e) {
    // The store failed twice in a row: the change stays stored without its audit event.
    // Said loudly, because it breaks the rule this class exists for.
    log::critical("admission_undo_failed", {{"guest", guestId}, {"error", e.what()}});
  }
}

bool Admission::move(const std::string& guestId, GuestState from, GuestState to) {
  // Compare-and-set: the store decides between two hosts, possibly on two nodes.
  return guestId.empty() ||
         store_.transitionGuest(guestId, std::string(toString(from)), std::string(toString(to)), nowSeconds());
}

void Admission::auditOrUndo(const Party& host, const std::string& guestId, GuestState from, GuestState to,
                            std::string_view what, const Party& target, DecisionDone done) {
  audit(host, what, target.identity, [this, guestId, from, to, done = std::move(done)](std::exception_ptr failure) {
    if (failure && !guestId.empty()) {
      undo(guestId, to, from);
    }
    done(Decided{false, failure, 0});
  });
}

namespace {

// A store fault before the audit write: nothing was changed, the caller hears it.
template <typename Work>
void guarded(const DecisionDone& done, Work&& work) {
  bool started = false;
  try {
    work(started);
  } catch (...) {
    if (started) {
      throw;  // from `done` itself: not ours to report twice
    }
    done(Decided{false, std::current_exception(), 0});
  }
}

}  // namespace

void Admission::moveLifecycle(const std::string& roomId,
                              bool (*step)(store::Store&, const std::string&, int64_t)) {
  try {
    step(store_, roomId, nowSeconds());
  } catch (const std::exception& e) {
    log::error("appointment_status_update_failed", {{"room", roomId}, {"error", e.what()}});
  }
}

void Admission::admit(const Party& host, const std::string& guestId, const Party& target, DecisionDone done) {
  guarded(done, [&](bool& started) {
    if (!move(guestId, GuestState::kWaiting, GuestState::kAdmitted)) {
      started = true;
      done(Decided{true, nullptr, 0});
      return;
    }
    started = true;
    auditOrUndo(host, guestId, GuestState::kWaiting, GuestState::kAdmitted, "admit", target,
                [this, target, done](Decided d) {
                  // FHIR Appointment.status: the patient's admission is their arrival (an
                  // interpreter's or carer's is not). The admission stands even if this step
                  // fails; it is logged.
                  if (!d.failure && target.role == "patient") {
                    moveLifecycle(target.roomId, markArrived);
                  }
                  done(std::move(d));
                });
  });
}

void Admission::deny(const Party& host, const std::string& guestId, const Party& target, DecisionDone done) {
  guarded(done, [&](bool& started) {
    if (!move(guestId, GuestState::kWaiting, GuestState::kDenied)) {
      started = true;
      done(Decided{true, nullptr, 0});
      return;
    }
    started = true;
    auditOrUndo(host, guestId, GuestState::kWaiting, GuestState::kDenied, "deny", target, done);
  });
}

store::GuestRecord Admission::recordFor(const std::string& guestId, const Party& target) {
  if (!guestId.empty()) {
    if (auto g = store_.findGuest(guestId)) {
      return *g;
    }
  }
  if (auto g = store_.findGuestByIdentity(target.roomId, target.identity)) {
    return *g;
  }
  store::GuestRecord g;
  g.roomId = target.roomId;
  g.identity = target.identity;
  g.role = target.role;
  g.state = std::string(toString(GuestState::kAdmitted));
  // Like every guest row enter() writes: per-tenant retention and erasure find it.
  if (auto room = store_.findRoom(target.roomId)) {
    g.tenantId = room->tenantId;
  }
  g.createdAt = nowSeconds();
  g.updatedAt = g.createdAt;
  try {
    return store_.createGuest(g);
  } catch (const store::StoreConflict&) {
    // Created meanwhile (another node): use that one.
    if (auto again = store_.findGuestByIdentity(target.roomId, target.identity)) {
      return *again;
    }
    throw;
  }
}

void Admission::remove(const Party& host, const std::string& guestId, const Party& target, DecisionDone done) {
  guarded(done, [&](bool& started) {
    // A racing decision (an admit landing between the read and the write) moves the state
    // under us; read again and retry, a few times at most.
    for (int attempt = 0; attempt < 3; ++attempt) {
      store::GuestRecord g = recordFor(guestId, target);
      std::optional<GuestState> state = guestStateFrom(g.state);
      if (!state) {
        throw store::StoreFailure("guest " + g.id + " has an unknown admission state");
      }
      if (*state == GuestState::kRemoved || *state == GuestState::kDenied) {
        // Already out for good in the store (a decision on another node): nothing to
        // store; the host's action is still recorded, and the caller closes the socket.
        started = true;
        audit(host, "remove_participant", target.identity,
              [done](std::exception_ptr failure) { done(Decided{false, failure, 0}); });
        return;
      }
      if (move(g.id, *state, GuestState::kRemoved)) {
        started = true;
        auditOrUndo(host, g.id, *state, GuestState::kRemoved, "remove_participant", target, done);
        return;
      }
    }
    throw store::StoreFailure("guest state kept changing during a removal");
  });
}

void Admission::end(const Party& host, DecisionDone done) {
  guarded(done, [&](bool& started) {
    int64_t now = nowSeconds();
    store_.endRoom(host.roomId, now);
    started = true;
    audit(host, "end_consultation", "", [this, host, now, done](std::exception_ptr failure) {
      if (failure) {
        try {
          store_.reopenRoom(host.roomId, now);
        } catch (const std::exception& e) {
          log::critical("admission_undo_failed", {{"room", host.roomId}, {"error", e.what()}});
        }
        done(Decided{false, failure, 0});
        return;
      }
      moveLifecycle(host.roomId, markFulfilled);
      int64_t revoked = -1;
      try {
        revoked = store_.revokeRoomInvitations(host.roomId, now);
      } catch (const std::exception& e) {
        log::error("revoking_invitations_failed", {{"room", host.roomId}, {"error", e.what()}});
      }
      done(Decided{false, nullptr, revoked});
    });
  });
}

}  // namespace medrtc::clinic
