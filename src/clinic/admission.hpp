#pragma once
// Who may be in a consultation (docs/consultation-api.md "Waiting room"): where a verified
// join goes, and the host's decisions — admit, deny, remove, end. The signaling hub speaks
// the protocol (sockets, messages, the live queue); what is stored and audited is decided
// here, under one rule (H6, fail closed): a decision is stored and audited, or neither.
// The audit log is append-only, so the stored change comes first and is undone when the
// audit write fails; the caller learns the failure and nothing happened. The audit write
// does not block the control thread (AuditSink::recordLater, audit_writer.hpp): each
// decision reports through a callback once its event is durable or has failed. Until
// then the change is stored but unconfirmed; an undo follows within one group commit.
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/auth_service.hpp"
#include "common/clock.hpp"
#include "compliance/audit_sink.hpp"
#include "store/store.hpp"

namespace medrtc::clinic {

// A guest's stored admission state (store::GuestRecord::state holds its name).
enum class GuestState { kWaiting, kAdmitted, kDenied, kRemoved };

std::string_view toString(GuestState s);
// nullopt for a word no release wrote.
std::optional<GuestState> guestStateFrom(std::string_view stored);

// Someone in a room as admission sees them: the join token's identity and role.
struct Party {
  std::string roomId;
  std::string identity;
  std::string role;
};

// Where a verified join goes.
enum class Entry {
  kJoin,     // straight into the call
  kWait,     // into the waiting room until a host admits
  kDenied,   // a host denied this identity: it stays out
  kRemoved,  // a host removed this identity: it stays out
};

struct EntryDecision {
  Entry entry = Entry::kJoin;
  std::string guestId;  // the stored admission record; empty when the joiner has none
};

// How a host's decision ended, on the control thread.
struct Decided {
  // The guest is no longer waiting: another host (maybe on another node) decided first.
  // Nothing stored, nothing audited.
  bool alreadyDecided = false;
  // A store or audit fault: nothing changed (a stored change was undone).
  std::exception_ptr failure;
  // end(): invitations revoked (-1 when revoking failed after the end was recorded: the
  // room stays ended, and an ended room refuses every join, so they are dead anyway).
  int64_t revoked = 0;
};
// Runs once per decision: inside the call when the store fails or the audit sink
// completes inline, else later from the control thread's loop. Must not throw.
using DecisionDone = std::function<void(Decided)>;

class Admission {
 public:
  Admission(store::Store& store, const Clock& clock);

  // Where decisions are audited (none when unset: tools and tests that do not audit).
  void setAudit(compliance::AuditSink* audit) { audit_ = audit; }
  // The profiles governing each tenant (app/security_setup.cpp tenantProfileLookup); empty:
  // no profile governs, and third participants wait for the host (the safe default).
  void setProfiles(TenantProfileLookup profiles) { profiles_ = std::move(profiles); }

  // Where `joiner` goes in `room`. The admission state outlives sockets and restarts: an
  // admitted guest skips the queue, a denied or removed one stays out, a waiting one waits
  // again; a first-time joiner who must wait gets a stored "waiting" record. Hosts never
  // wait. Store faults throw store::StoreFailure.
  EntryDecision enter(const store::RoomRecord& room, const Party& joiner);

  // KBV K12 (session.third_participant_needs_host_approval): does an interpreter or carer
  // in `room` wait for the host? Yes unless a profile governs the room's tenant and none of
  // the governing profiles refuses AdmitThirdParticipant without the host's approval.
  bool thirdParticipantWaits(const store::RoomRecord& room);

  // KBV K7 (media.p2p_preferred_one_to_one) per tenant: does the room's tenant's own
  // profile prefer peer-to-peer for 1:1? The node's profile is the hub's own switch; this
  // lets a KBV practice get P2P on a node that does not run KBV for everyone. False for
  // integrator rooms, without profiles, or when the tenant's profile cannot be loaded
  // (the SFU always works; P2P is a preference, never a requirement to fail closed on).
  bool tenantPrefersP2p(const store::RoomRecord& room);
  // The same with the room's tenant already read (off the control thread).
  bool tenantPrefersP2p(const store::RoomRecord& room, const std::optional<store::TenantRecord>& tenant);

  // KBV K6 (encryption.e2ee_required): is `room` end-to-end encrypted (docs/e2ee.md)? Yes
  // when its tenant's profile or the node's requires it. A tenant whose profile cannot be
  // loaded gets E2EE too: its rules are unknown, and an E2EE room only refuses browsers
  // that cannot do it, while a non-E2EE one would silently drop the protection. `tenant`
  // is the room's tenant as the join read it on the store pool (nullopt: none, or not
  // found: the node's profile alone); nothing here reads the store.
  bool e2eeRequired(const store::RoomRecord& room, const std::optional<store::TenantRecord>& tenant);

  // The host's decisions on `target` (whose stored record is `guestId`, empty when it has
  // none). Each stores and audits, or (store or audit fault) changes nothing; `done` says
  // which.
  void admit(const Party& host, const std::string& guestId, const Party& target, DecisionDone done);
  void deny(const Party& host, const std::string& guestId, const Party& target, DecisionDone done);
  // Out for good, waiting or in the call: the same identity cannot come back in.
  void remove(const Party& host, const std::string& guestId, const Party& target, DecisionDone done);
  // Ends the host's room for everyone and revokes its invitations (Decided::revoked).
  void end(const Party& host, DecisionDone done);

 private:
  // Moves `guestId` from `from` to `to` (compare-and-set; true without a record). False
  // when the guest was not in `from`.
  bool move(const std::string& guestId, GuestState from, GuestState to);
  // Audits `what` after a move to `to`; moves the guest back if the audit fails.
  void auditOrUndo(const Party& host, const std::string& guestId, GuestState from, GuestState to,
                   std::string_view what, const Party& target, DecisionDone done);
  void audit(const Party& host, std::string_view what, const std::string& target,
             compliance::AuditSink::Completion done);
  // Puts `guestId` back to `state` after a failed audit; an undo that fails is logged.
  void undo(const std::string& guestId, GuestState from, GuestState back);
  // Moves the room's appointment one lifecycle step (appointment_lifecycle.hpp); a store
  // failure is logged, never undoes the admission decision it follows.
  void moveLifecycle(const std::string& roomId, bool (*step)(store::Store&, const std::string&, int64_t));
  // The stored record of `target` for a removal; created (as admitted: it is in the call)
  // when it has none, so the removal is one compare-and-set like every other decision.
  store::GuestRecord recordFor(const std::string& guestId, const Party& target);
  int64_t nowSeconds() const;

  store::Store& store_;
  const Clock& clock_;
  compliance::AuditSink* audit_ = nullptr;
  TenantProfileLookup profiles_;
};

}  // namespace medrtc::clinic
