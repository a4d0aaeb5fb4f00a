#pragma once
// Appointments and their invitations (docs/consultation-api.md "Appointments", "Patient
// entry"): a practitioner's booking owns a waiting-room room; each invitation is a
// single-use link token plus a numeric code for one guest (patient, interpreter, carer).
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "clinic/auth_service.hpp"
#include "clinic/rate_limiter.hpp"
#include "clinic/refusal_audit.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "compliance/audit_sink.hpp"
#include "store/store.hpp"

namespace medrtc::clinic {

// Invitation codes: how many guesses the limits allow, and why 9 digits suffice.
//
// A code is 9 decimal digits (10^9 values). Each source address may fail 10 codes per
// 15 minutes; all addresses together may fail 100 codes per hour (the global limit also
// stops an attacker with many addresses). That is at most 100 * 24 = 2,400 wrong guesses
// a day for the whole server. With L live (unused, unexpired) codes, a guess hits one with
// probability L / 10^9, so a day of guessing finds one with probability at most
// 2,400 * L / 10^9: for L = 1,000 live codes 0.24 %, for L = 100 0.024 %. A hit is
// still not a consultation: it only puts the guesser in the waiting room, where the
// practitioner sees the typed name and must admit them (K3). While the global limit is
// reached, code entry answers 429 for everyone (links keep working): a deliberate trade of
// availability for secrecy. Link tokens carry 256 bits and need no limit.
struct AppointmentPolicy {
  int64_t invitationGraceSeconds = 30 * 60;  // invitations expire at appointment end + this
  size_t codeDigits = 9;
  size_t maxCodeFailuresPerAddress = 10;
  int64_t codeFailureWindowSeconds = 15 * 60;
  size_t maxCodeFailuresGlobal = 100;
  int64_t globalCodeWindowSeconds = 3600;
  int64_t maxAppointmentSeconds = 24 * 3600;
};

inline constexpr size_t kMaxGuestNameChars = 100;

// kCancelled and kConflict answer 409: the appointment's state forbids the change, or it
// changed between this request's read and its write (another request got there first).
enum class ClinicError { kNotFound, kInvalid, kForbidden, kCancelled, kConflict };
struct ClinicFailure {
  ClinicError error;
  std::string code;    // problem+json code, e.g. "appointment_not_found", "invalid_field"
  std::string detail;  // human-readable, never personal data
};

struct NewAppointment {
  int64_t start = 0;
  int64_t end = 0;
  std::string title;
  std::string patientReference;
  std::string practitionerId;  // empty: the signed-in user
};

struct IssuedInvitation {
  store::InvitationRecord record;
  std::string token;  // shown once: the link is /join#i=<token>
  std::string code;   // shown once
};

struct CreatedAppointment {
  store::AppointmentRecord appointment;
  IssuedInvitation invitation;  // the patient's
};

enum class RedeemError { kNotFound, kExpired, kRevoked, kUsed, kTooManyAttempts, kInvalidName, kInvalidRequest };
const char* toString(RedeemError e);  // the problem+json code
struct RedeemFailure {
  RedeemError error;
  int64_t retryAfterSeconds = 0;
};

struct RedeemRequest {
  std::optional<std::string> token;
  std::optional<std::string> code;
  std::string name;
  std::string sourceAddress;
};

struct Redeemed {
  store::GuestRecord guest;
  store::InvitationRecord invitation;
  store::AppointmentRecord appointment;
  store::TenantRecord tenant;
};

// A name a person typed: 1-100 code points of valid UTF-8 (the JSON parser checked it),
// no control characters.
bool validGuestName(std::string_view name);

class AppointmentService {
 public:
  // `codeKey` (≥ 16 bytes) keys the code hashes (see secrets.hpp keyedHash).
  AppointmentService(store::Store& store, const Clock& clock, compliance::AuditSink* audit,
                     std::vector<uint8_t> codeKey, AppointmentPolicy policy = {});

  Result<CreatedAppointment, ClinicFailure> create(const SessionContext& who, const NewAppointment& request);
  std::vector<store::AppointmentRecord> list(const SessionContext& who, int64_t from, int64_t to);
  // Another tenant's appointment is kNotFound, exactly like an unknown id.
  Result<store::AppointmentRecord, ClinicFailure> get(const SessionContext& who, const std::string& id);
  // list and get with a given store: reads only, for the store pool's threads (the REST
  // routes' reads run there; signaling/store_job.hpp).
  static std::vector<store::AppointmentRecord> list(store::Store& store, const SessionContext& who, int64_t from,
                                                    int64_t to);
  static Result<store::AppointmentRecord, ClinicFailure> get(store::Store& store, const SessionContext& who,
                                                             const std::string& id);
  Result<store::AppointmentRecord, ClinicFailure> reschedule(const SessionContext& who, const std::string& id,
                                                             std::optional<int64_t> start, std::optional<int64_t> end);
  Result<store::AppointmentRecord, ClinicFailure> cancel(const SessionContext& who, const std::string& id);
  // role: "patient" | "interpreter" | "carer".
  Result<IssuedInvitation, ClinicFailure> invite(const SessionContext& who, const std::string& appointmentId,
                                                 const std::string& role);
  // invite in two steps, for the store pool (signaling/store_job.hpp): inviteIn checks and
  // stores the invitation with `store` (any thread; it reads only what does not change
  // after construction) and says what to audit. Fail closed: the caller audits `event`
  // and revokes the invitation when that fails, before anyone saw its link or code.
  struct Invited {
    IssuedInvitation issued;
    AuditFacts event;
  };
  Result<Invited, ClinicFailure> inviteIn(store::Store& store, const SessionContext& who,
                                          const std::string& appointmentId, const std::string& role,
                                          int64_t now) const;
  Result<store::InvitationRecord, ClinicFailure> revokeInvitation(const SessionContext& who,
                                                                  const std::string& invitationId);
  std::vector<store::InvitationRecord> invitations(const std::string& appointmentId);

  // No account: a link token or a code plus the typed name. The first redeem binds the
  // invitation to a new guest identity (state "waiting").
  Result<Redeemed, RedeemFailure> redeem(const RedeemRequest& request);
  // The invitation a link token or code names, if it may still be redeemed or was redeemed
  // already (not revoked, not expired), without using it: the pre-call check's
  // authorization. A wrong code counts against the same limits as on redeem, so this is
  // no second way to guess codes. `request.name` is not read.
  Result<store::InvitationRecord, RedeemFailure> checkInvitation(const RedeemRequest& request);

  // redeem and checkInvitation in three steps, for the store pool (signaling/store_job.hpp):
  //  1. startAttempt, on the control thread: the request's own checks and, for a code, its
  //     limits; the attempt is counted as a failure in advance, so that guesses running
  //     at the same time on the pool see each other (as sign-in does).
  //  2. redeemIn / checkIn, on a pool thread with its store: the look-up and, for redeem,
  //     the claim and the new guest. They touch no member but the constant policy and key,
  //     and catch a store failure into the attempt (step 3 must still run).
  //  3. finishRedeem / finishCheck, on the control thread: a wrong code stays counted and
  //     is audited (without blocking: nothing to undo), any other outcome takes the advance
  //     count back; a refused invitation is audited once per source and window. A store
  //     failure is rethrown after that. `abandonAttempt` instead when step 2 never ran (the
  //     pool's queue was full).
  // Fail closed: the caller audits `event` of a redeem and, when that fails, undoes it with
  // store.unclaimInvitation(invitation.id, guest.id) before anyone got the join token.
  struct InvitationAttempt {
    bool viaCode = false;
    bool wrongCode = false;  // a code that names no invitation
    std::optional<RedeemError> refused;
    std::optional<store::InvitationRecord> invitation;  // found (refused or not)
    std::optional<Redeemed> redeemed;                    // redeemIn only, on success
    AuditFacts event;                                    // the redeem's, on success
    std::exception_ptr storeFailure;
  };
  std::optional<RedeemFailure> startAttempt(const RedeemRequest& request, bool redeeming, int64_t now);
  InvitationAttempt redeemIn(store::Store& store, const RedeemRequest& request, int64_t now) const;
  InvitationAttempt checkIn(store::Store& store, const RedeemRequest& request, int64_t now) const;
  Result<Redeemed, RedeemFailure> finishRedeem(const RedeemRequest& request, InvitationAttempt& attempt);
  Result<store::InvitationRecord, RedeemFailure> finishCheck(const RedeemRequest& request,
                                                             InvitationAttempt& attempt);
  void abandonAttempt(const RedeemRequest& request);

  // Who hosts an appointment's room (docs/consultation-api.md "Hosting"): its practitioner,
  // or the one practitioner of the same tenant it was delegated to. Staff and admins
  // organise but do not take part (K5); other practitioners get 403. A cancelled
  // appointment is 409 appointment_cancelled, one past its end + grace 409 appointment_over.
  Result<store::AppointmentRecord, ClinicFailure> hostable(const SessionContext& who, const std::string& id);
  // The same with a given store and time, from a store pool thread (reads only; the policy
  // does not change after construction).
  Result<store::AppointmentRecord, ClinicFailure> hostable(store::Store& store, const SessionContext& who,
                                                           const std::string& id, int64_t now) const;
  // "Cover for": the tenant's admin, or the appointment's practitioner, names a delegate
  // who may host in the practitioner's place (empty: withdraws it). The delegate must be
  // an enabled practitioner of the same tenant. Audited (appointment_delegate).
  Result<store::AppointmentRecord, ClinicFailure> setDelegate(const SessionContext& who, const std::string& id,
                                                              const std::string& delegateId);
  // setDelegate in two steps, for the store pool: setDelegateIn checks and stores the
  // change with `store` (any thread) and says what to audit and how to undo it. Fail
  // closed: the caller audits `event` and, when that fails, puts back `previous`
  // (store.setAppointmentDelegate(id, previous, previousUpdate)).
  struct DelegateChange {
    store::AppointmentRecord appointment;  // as changed
    AuditFacts event;
    std::string previous;
    int64_t previousUpdate = 0;
  };
  Result<DelegateChange, ClinicFailure> setDelegateIn(store::Store& store, const SessionContext& who,
                                                      const std::string& id, const std::string& delegateId,
                                                      int64_t now) const;

  // The writes below in two steps, for the store pool (like setDelegateIn): the `In` part
  // checks and stores the change with `store` (any thread) through the Store's conditional,
  // request-keyed writes (store.hpp "Reschedule") and says what to audit; fail closed, the
  // caller audits `event` and runs the undo when that fails. Each change carries the
  // random id (`change`) the undo is keyed to, so it takes back this request's change and
  // no other; a repeat that finds the change made already writes no event and leaves
  // nothing to undo, and from then on the earlier change stands.
  struct Creation {
    CreatedAppointment created;
    AuditFacts appointmentEvent;
    AuditFacts invitationEvent;
  };
  // Stores the room, the appointment and the patient's invitation; the undo deletes them
  // (store.deleteAppointment), before anyone saw the appointment.
  Result<Creation, ClinicFailure> createIn(store::Store& store, const SessionContext& who, const NewAppointment& r,
                                           int64_t now) const;

  struct RescheduleChange {
    store::AppointmentRecord appointment;  // as changed
    AuditFacts event;
    int64_t previousStart = 0;
    int64_t previousEnd = 0;
    store::Rescheduled replaced;  // what the store replaced, for the undo
    std::string change;
  };
  // Only the times, and only while they are those read and the appointment is not
  // cancelled: a concurrent cancel answers 409 appointment_cancelled, a concurrent
  // reschedule 409 appointment_changed.
  Result<RescheduleChange, ClinicFailure> rescheduleIn(store::Store& store, const SessionContext& who,
                                                       const std::string& id, std::optional<int64_t> start,
                                                       std::optional<int64_t> end, int64_t now) const;
  // The previous times, only while the row still has this change's.
  bool undoReschedule(store::Store& store, const RescheduleChange& change) const;

  struct CancelChange {
    store::AppointmentRecord appointment;  // as stored now
    std::optional<AuditFacts> event;       // empty: it was cancelled before (and audited)
    std::string previousStatus;
    int64_t previousUpdate = 0;
    int64_t roomEndedAt = 0;  // the room's end this cancel wrote (0: ended before)
    std::string change;       // empty: nothing of this request's to undo
    // Another request's cancel, pending its event, that this request now stands behind
    // and audits (store::CancelOutcome::kAdopted): when this event fails too, nothing is
    // undone (the first request's undo no longer applies either) and the cancel stands.
    bool adopted = false;
  };
  // Cancels it (whatever status but cancelled), revokes its open invitations and ends its
  // room in one transaction.
  static Result<CancelChange, ClinicFailure> cancelIn(store::Store& store, const SessionContext& who,
                                                      const std::string& id, int64_t now);
  static bool undoCancel(store::Store& store, const CancelChange& change);

  struct RevokeChange {
    store::InvitationRecord invitation;  // as stored now
    // Empty: it was revoked before (see revocation); set with an empty `change` when it
    // adopted another request's revocation pending its event (revocation.adopted).
    std::optional<AuditFacts> event;
    store::Revocation revocation;        // who revoked it and when
    std::string change;
  };
  static Result<RevokeChange, ClinicFailure> revokeInvitationIn(store::Store& store, const SessionContext& who,
                                                                const std::string& invitationId, int64_t now);

  const AppointmentPolicy& policy() const { return policy_; }

 private:
  int64_t nowSeconds() const;
  // Draws and stores an invitation with `store`, says what to audit.
  Invited issueIn(store::Store& store, const store::AppointmentRecord& a, const std::string& role,
                  const SessionContext& who, int64_t now) const;
  // The invitation a link token or code names (step 2 of an attempt): nullopt when none.
  std::optional<store::InvitationRecord> lookUp(store::Store& store, const RedeemRequest& r) const;
  // Step 2's common part: looks up the invitation into `a` and says whether it can still be
  // used (not unknown, revoked, expired, nor with `refuseUsed` already used); when not,
  // `a.refused` says why. Store failures propagate (the callers catch them).
  bool lookUpUsable(store::Store& store, const RedeemRequest& r, int64_t now, bool refuseUsed,
                    InvitationAttempt& a) const;
  // Step 3's common part: the code's advance count, the wrong code's event, the refusal's.
  std::optional<RedeemFailure> settle(const RedeemRequest& r, const InvitationAttempt& attempt, bool auditRefusal);

  store::Store& store_;
  const Clock& clock_;
  compliance::AuditSink* audit_;
  std::vector<uint8_t> codeKey_;
  AppointmentPolicy policy_;
  FailureLimiter codesPerAddress_;
  FailureLimiter codesGlobal_;
  // A used or revoked link can be replayed at will: its refusals are audited once per
  // source per window with a count (issue 10 item 6).
  RefusalAudit refusals_;
};

}  // namespace medrtc::clinic
