#include "clinic/appointment_service.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include "clinic/clinic_audit.hpp"
#include "clinic/secrets.hpp"
#include "common/ip_prefix.hpp"
#include "common/random.hpp"

namespace medrtc::clinic {

namespace cp = compliance;

namespace {

constexpr int kCodeDrawAttempts = 8;
constexpr size_t kMaxTitleChars = 200;
constexpr size_t kMaxReferenceChars = 200;
const std::string kGlobalKey = "global";

size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) {
    n += (ch & 0xC0) != 0x80;
  }
  return n;
}

Unexpected<ClinicFailure> notFound() {
  return fail(ClinicFailure{ClinicError::kNotFound, "appointment_not_found", "no appointment with this id"});
}

Unexpected<ClinicFailure> invalid(std::string detail) {
  return fail(ClinicFailure{ClinicError::kInvalid, "invalid_field", std::move(detail)});
}

bool guestRole(const std::string& role) { return role == "patient" || role == "interpreter" || role == "carer"; }

}  // namespace

const char* toString(RedeemError e) {
  switch (e) {
    case RedeemError::kNotFound: return "invitation_not_found";
    case RedeemError::kExpired: return "invitation_expired";
    case RedeemError::kRevoked: return "invitation_revoked";
    case RedeemError::kUsed: return "invitation_used";
    case RedeemError::kTooManyAttempts: return "too_many_attempts";
    case RedeemError::kInvalidName: return "invalid_field";
    case RedeemError::kInvalidRequest: return "invalid_field";
  }
  return "invalid_field";
}

bool validGuestName(std::string_view name) {
  size_t n = codePoints(name);
  if (n < 1 || n > kMaxGuestNameChars) {
    return false;
  }
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f) {
      return false;
    }
  }
  // Not only spaces.
  return name.find_first_not_of(' ') != std::string_view::npos;
}

AppointmentService::AppointmentService(store::Store& store, const Clock& clock, cp::AuditSink* audit,
                                       std::vector<uint8_t> codeKey, AppointmentPolicy policy)
    : store_(store),
      clock_(clock),
      audit_(audit),
      codeKey_(std::move(codeKey)),
      policy_(policy),
      codesPerAddress_(policy.maxCodeFailuresPerAddress, policy.codeFailureWindowSeconds),
      codesGlobal_(policy.maxCodeFailuresGlobal, policy.globalCodeWindowSeconds, 1),
      refusals_(audit, clock) {}

int64_t AppointmentService::nowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
}

Result<CreatedAppointment, ClinicFailure> AppointmentService::create(const SessionContext& who,
                                                                    const NewAppointment& r) {
  auto creation = createIn(store_, who, r, nowSeconds());
  if (!creation) {
    return fail(creation.error());
  }
  const store::AppointmentRecord& a = creation->created.appointment;
  try {
    audit(audit_, creation->appointmentEvent);
    audit(audit_, creation->invitationEvent);
  } catch (...) {
    // Fail closed (H6): an appointment that cannot be audited does not stand.
    store_.deleteAppointment(a.id);
    throw;
  }
  log::info("appointment_created", {{"appointment", a.id}, {"tenant", a.tenantId}, {"room", a.roomId},
                                    {"by", who.user.id}});
  log::info("invitation_created",
            {{"invitation", creation->created.invitation.record.id}, {"appointment", a.id}, {"role", "patient"}});
  return std::move(creation->created);
}

Result<AppointmentService::Creation, ClinicFailure> AppointmentService::createIn(store::Store& store,
                                                                                const SessionContext& who,
                                                                                const NewAppointment& r,
                                                                                int64_t now) const {
  if (r.end <= r.start || r.end - r.start > policy_.maxAppointmentSeconds) {
    return invalid("\"end\" must be after \"start\", at most 24 hours later");
  }
  if (codePoints(r.title) > kMaxTitleChars || codePoints(r.patientReference) > kMaxReferenceChars) {
    return invalid("\"title\" and \"patient_reference\" are limited to 200 characters");
  }
  std::string practitionerId = r.practitionerId.empty() ? who.user.id : r.practitionerId;
  if (practitionerId != who.user.id) {
    auto practitioner = store.findUser(practitionerId);
    if (!practitioner || practitioner->tenantId != who.tenant.id || practitioner->role != "practitioner") {
      return invalid("\"practitioner_id\" is not a practitioner of this organisation");
    }
  }
  store::RoomRecord room =
      store.createRoom(store::NewRoom{.name = "", .waitingRoom = true, .tenantId = who.tenant.id}, now);
  store::AppointmentRecord a;
  a.tenantId = who.tenant.id;
  a.practitionerId = practitionerId;
  a.status = "booked";
  a.start = r.start;
  a.end = r.end;
  a.title = r.title;
  a.patientReference = r.patientReference;
  a.roomId = room.id;
  a.createdAt = now;
  a.updatedAt = now;
  Creation c;
  try {
    a = store.createAppointment(a);
    Invited invited = issueIn(store, a, "patient", who, now);
    c.invitationEvent = std::move(invited.event);
    c.created = CreatedAppointment{a, std::move(invited.issued)};
  } catch (...) {
    // Nothing half made stays behind (a room without its appointment, or one without its
    // patient's invitation).
    try {
      if (!a.id.empty()) {
        store.deleteAppointment(a.id);
      } else {
        // The appointment was never stored: its room is no one's. The Store deletes rooms
        // only with their appointment, so it is ended (nobody can join it) and goes with
        // the next retention run (purgeMetadata drops ended rooms).
        store.endRoom(room.id, now);
      }
    } catch (...) {
    }
    throw;
  }
  c.appointmentEvent = AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Create,
                                  cp::AuditOutcome::Success, "appointment_create", "", who.user.id, who.user.role, "",
                                  "Appointment/" + a.id, "Room/" + room.id, std::nullopt};
  return c;
}

AppointmentService::Invited AppointmentService::issueIn(store::Store& store, const store::AppointmentRecord& a,
                                                        const std::string& role, const SessionContext& who,
                                                        int64_t now) const {
  for (int attempt = 0; attempt < kCodeDrawAttempts; ++attempt) {
    IssuedInvitation out;
    out.token = randomToken();
    out.code = randomDigits(policy_.codeDigits);
    store::InvitationRecord i;
    i.tenantId = a.tenantId;
    i.appointmentId = a.id;
    i.roomId = a.roomId;
    i.role = role;
    i.tokenHash = hashSecret(out.token);
    i.codeHash = keyedHash(codeKey_, out.code);
    i.createdAt = now;
    i.expiresAt = a.end + policy_.invitationGraceSeconds;
    try {
      out.record = store.createInvitation(i);
    } catch (const store::StoreConflict&) {
      continue;  // the code (or, absurdly, the token) was drawn before: draw again
    }
    AuditFacts event{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Create,
                     cp::AuditOutcome::Success, "invitation_create", role, who.user.id, who.user.role, "",
                     "Invitation/" + out.record.id, "Appointment/" + a.id, std::nullopt};
    return Invited{std::move(out), std::move(event)};
  }
  throw store::StoreFailure("could not draw an unused invitation code");
}

std::vector<store::AppointmentRecord> AppointmentService::list(const SessionContext& who, int64_t from, int64_t to) {
  return list(store_, who, from, to);
}

std::vector<store::AppointmentRecord> AppointmentService::list(store::Store& store, const SessionContext& who,
                                                              int64_t from, int64_t to) {
  return store.listAppointments(who.tenant.id, from, to);
}

Result<store::AppointmentRecord, ClinicFailure> AppointmentService::get(const SessionContext& who,
                                                                       const std::string& id) {
  return get(store_, who, id);
}

Result<store::AppointmentRecord, ClinicFailure> AppointmentService::get(store::Store& store, const SessionContext& who,
                                                                       const std::string& id) {
  auto a = store.findAppointment(id);
  if (!a || a->tenantId != who.tenant.id) {
    return notFound();
  }
  return std::move(*a);
}

Result<store::AppointmentRecord, ClinicFailure> AppointmentService::hostable(const SessionContext& who,
                                                                            const std::string& id) {
  return hostable(store_, who, id, nowSeconds());
}

Result<store::AppointmentRecord, ClinicFailure> AppointmentService::hostable(store::Store& store,
                                                                            const SessionContext& who,
                                                                            const std::string& id,
                                                                            int64_t now) const {
  auto a = get(store, who, id);
  if (!a) {
    return a;
  }
  if (who.user.role != "practitioner") {
    return fail(ClinicFailure{ClinicError::kForbidden, "forbidden",
                              "only a practitioner hosts a consultation (staff organise it)"});
  }
  bool own = who.user.id == a->practitionerId;
  bool delegated = !a->hostDelegateId.empty() && who.user.id == a->hostDelegateId;
  if (!own && !delegated) {
    return fail(ClinicFailure{ClinicError::kForbidden, "forbidden",
                              "only the appointment's practitioner or its delegate hosts it"});
  }
  if (a->status == "cancelled") {
    return fail(ClinicFailure{ClinicError::kCancelled, "appointment_cancelled", "the appointment was cancelled"});
  }
  if (now >= a->end + policy_.invitationGraceSeconds) {
    return fail(ClinicFailure{ClinicError::kCancelled, "appointment_over", "the appointment is over"});
  }
  return a;
}

Result<store::AppointmentRecord, ClinicFailure> AppointmentService::setDelegate(const SessionContext& who,
                                                                               const std::string& id,
                                                                               const std::string& delegateId) {
  auto change = setDelegateIn(store_, who, id, delegateId, nowSeconds());
  if (!change) {
    return fail(change.error());
  }
  try {
    audit(audit_, change->event);
  } catch (...) {
    // Fail closed (H6): a grant that cannot be audited does not stand.
    store_.setAppointmentDelegate(id, change->previous, change->previousUpdate);
    throw;
  }
  log::info(delegateId.empty() ? "appointment_delegate_withdrawn" : "appointment_delegate_granted",
            {{"appointment", id}, {"delegate", delegateId.empty() ? change->previous : delegateId}, {"by", who.user.id}});
  return std::move(change->appointment);
}

Result<AppointmentService::DelegateChange, ClinicFailure> AppointmentService::setDelegateIn(
    store::Store& store, const SessionContext& who, const std::string& id, const std::string& delegateId,
    int64_t now) const {
  auto a = get(store, who, id);
  if (!a) {
    return fail(a.error());
  }
  if (who.user.role != "admin" && who.user.id != a->practitionerId) {
    return fail(ClinicFailure{ClinicError::kForbidden, "forbidden",
                              "only a practice admin or the appointment's practitioner names a delegate"});
  }
  if (a->status == "cancelled") {
    return fail(ClinicFailure{ClinicError::kCancelled, "appointment_cancelled", "the appointment was cancelled"});
  }
  if (!delegateId.empty()) {
    auto delegate = store.findUser(delegateId);
    if (!delegate || delegate->tenantId != who.tenant.id || delegate->role != "practitioner" || delegate->disabled ||
        delegate->id == a->practitionerId) {
      return invalid("\"practitioner_id\" is not another practitioner of this organisation");
    }
  }
  DelegateChange change;
  change.previous = a->hostDelegateId;
  change.previousUpdate = a->updatedAt;
  store.setAppointmentDelegate(a->id, delegateId, now);
  change.event = AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Update,
                            cp::AuditOutcome::Success, "appointment_delegate",
                            delegateId.empty() ? "withdraw" : "grant", who.user.id, who.user.role, "",
                            "Appointment/" + a->id,
                            "Practitioner/" + (delegateId.empty() ? change.previous : delegateId), std::nullopt};
  a->hostDelegateId = delegateId;
  a->updatedAt = now;
  change.appointment = std::move(*a);
  return change;
}

Result<store::AppointmentRecord, ClinicFailure> AppointmentService::reschedule(const SessionContext& who,
                                                                              const std::string& id,
                                                                              std::optional<int64_t> start,
                                                                              std::optional<int64_t> end) {
  auto change = rescheduleIn(store_, who, id, start, end, nowSeconds());
  if (!change) {
    return fail(change.error());
  }
  try {
    audit(audit_, change->event);
  } catch (...) {
    // Fail closed (H6): a new time that cannot be audited does not stand.
    undoReschedule(store_, *change);
    throw;
  }
  log::info("appointment_rescheduled", {{"appointment", id}, {"by", who.user.id}});
  return std::move(change->appointment);
}

Result<AppointmentService::RescheduleChange, ClinicFailure> AppointmentService::rescheduleIn(
    store::Store& store, const SessionContext& who, const std::string& id, std::optional<int64_t> start,
    std::optional<int64_t> end, int64_t now) const {
  auto a = get(store, who, id);
  if (!a) {
    return fail(a.error());
  }
  auto cancelled = [] {
    return fail(ClinicFailure{ClinicError::kCancelled, "appointment_cancelled", "the appointment was cancelled"});
  };
  if (a->status == "cancelled") {
    return cancelled();
  }
  int64_t newStart = start.value_or(a->start);
  int64_t newEnd = end.value_or(a->end);
  if (newEnd <= newStart || newEnd - newStart > policy_.maxAppointmentSeconds) {
    return invalid("\"end\" must be after \"start\", at most 24 hours later");
  }
  RescheduleChange change;
  change.previousStart = a->start;
  change.previousEnd = a->end;
  change.change = "c_" + randomHex(8);
  auto previous = store.rescheduleAppointment(store::Reschedule{a->id, a->start, a->end, newStart, newEnd,
                                                                newEnd + policy_.invitationGraceSeconds, now,
                                                                change.change});
  if (!previous) {
    // Changed between this read and this write: never written over.
    auto again = store.findAppointment(id);
    if (again && again->status == "cancelled") {
      return cancelled();
    }
    return fail(ClinicFailure{ClinicError::kConflict, "appointment_changed",
                              "the appointment was changed meanwhile; reload it and try again"});
  }
  change.replaced = std::move(*previous);
  change.event = AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Update,
                            cp::AuditOutcome::Success, "appointment_update", "reschedule", who.user.id,
                            who.user.role, "", "Appointment/" + a->id, "", std::nullopt};
  // The row as written: the times; the status as read (the control thread may have moved
  // it on since, which this write did not touch).
  a->start = newStart;
  a->end = newEnd;
  a->updatedAt = now;
  change.appointment = std::move(*a);
  return change;
}

bool AppointmentService::undoReschedule(store::Store& store, const RescheduleChange& change) const {
  return store.undoReschedule(change.appointment.id, change.change, change.previousStart, change.previousEnd,
                              change.previousEnd + policy_.invitationGraceSeconds, change.replaced);
}

Result<store::AppointmentRecord, ClinicFailure> AppointmentService::cancel(const SessionContext& who,
                                                                          const std::string& id) {
  auto change = cancelIn(store_, who, id, nowSeconds());
  if (!change) {
    return fail(change.error());
  }
  if (change->event) {
    try {
      audit(audit_, *change->event);
    } catch (...) {
      // Fail closed (H6): a cancellation that cannot be audited does not stand.
      undoCancel(store_, *change);
      throw;
    }
    log::info("appointment_cancelled", {{"appointment", id}, {"by", who.user.id}});
  }
  return std::move(change->appointment);
}

Result<AppointmentService::CancelChange, ClinicFailure> AppointmentService::cancelIn(store::Store& store,
                                                                                  const SessionContext& who,
                                                                                  const std::string& id,
                                                                                  int64_t now) {
  auto a = get(store, who, id);
  if (!a) {
    return fail(a.error());
  }
  CancelChange change;
  change.change = "c_" + randomHex(8);
  // The store decides on the row as it is at the write (the status the control thread may
  // have moved on meanwhile), not on this read.
  store::Cancellation done = store.cancelAppointment(a->id, who.user.id, change.change, now);
  if (done.outcome == store::CancelOutcome::kUnknown) {
    return notFound();
  }
  if (done.outcome != store::CancelOutcome::kAlreadyCancelled) {
    // kAdopted: another request's cancel, pending its event, which may still fail; this
    // request now stands behind it and audits it too, so that it never stands unaudited.
    change.event = AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Update,
                              cp::AuditOutcome::Success, "appointment_cancel", "", who.user.id, who.user.role, "",
                              "Appointment/" + a->id, "", std::nullopt};
  }
  if (done.outcome == store::CancelOutcome::kCancelled) {
    change.previousStatus = done.previousStatus;
    change.previousUpdate = done.previousUpdate;
    change.roomEndedAt = done.roomEndedAt;
  } else {
    change.change.clear();  // cancelled before: nothing of this request's to undo
    change.adopted = done.outcome == store::CancelOutcome::kAdopted;
  }
  auto stored = store.findAppointment(a->id);
  if (!stored) {
    return notFound();
  }
  change.appointment = std::move(*stored);
  return change;
}

bool AppointmentService::undoCancel(store::Store& store, const CancelChange& change) {
  return store.undoCancel(change.appointment.id, change.change, change.previousStatus, change.previousUpdate,
                          change.roomEndedAt);
}

Result<IssuedInvitation, ClinicFailure> AppointmentService::invite(const SessionContext& who,
                                                                  const std::string& appointmentId,
                                                                  const std::string& role) {
  auto invited = inviteIn(store_, who, appointmentId, role, nowSeconds());
  if (!invited) {
    return fail(invited.error());
  }
  audit(audit_, invited->event);
  log::info("invitation_created",
            {{"invitation", invited->issued.record.id}, {"appointment", appointmentId}, {"role", role}});
  return std::move(invited->issued);
}

Result<AppointmentService::Invited, ClinicFailure> AppointmentService::inviteIn(store::Store& store,
                                                                                const SessionContext& who,
                                                                                const std::string& appointmentId,
                                                                                const std::string& role,
                                                                                int64_t now) const {
  if (!guestRole(role)) {
    return invalid("\"role\" must be \"patient\", \"interpreter\" or \"carer\"");
  }
  auto a = get(store, who, appointmentId);
  if (!a) {
    return fail(a.error());
  }
  if (a->status == "cancelled") {
    return fail(ClinicFailure{ClinicError::kCancelled, "appointment_cancelled", "the appointment was cancelled"});
  }
  auto room = store.findRoom(a->roomId);
  if (room && room->ended()) {
    return fail(ClinicFailure{ClinicError::kCancelled, "room_ended", "the consultation has ended"});
  }
  return issueIn(store, *a, role, who, now);
}

Result<store::InvitationRecord, ClinicFailure> AppointmentService::revokeInvitation(const SessionContext& who,
                                                                                   const std::string& invitationId) {
  auto change = revokeInvitationIn(store_, who, invitationId, nowSeconds());
  if (!change) {
    return fail(change.error());
  }
  if (change->event) {
    try {
      audit(audit_, *change->event);
    } catch (...) {
      // Fail closed (H6): a revocation that cannot be audited does not stand.
      store_.unrevokeInvitation(change->invitation.id, change->change);
      throw;
    }
  }
  return std::move(change->invitation);
}

Result<AppointmentService::RevokeChange, ClinicFailure> AppointmentService::revokeInvitationIn(
    store::Store& store, const SessionContext& who, const std::string& invitationId, int64_t now) {
  auto i = store.findInvitation(invitationId);
  if (!i || i->tenantId != who.tenant.id) {
    return fail(ClinicFailure{ClinicError::kNotFound, "invitation_not_found", "no invitation with this id"});
  }
  RevokeChange change;
  change.change = "c_" + randomHex(8);
  auto revoked = store.revokeInvitationBy(i->id, who.user.id, change.change, now);
  if (!revoked) {
    return fail(ClinicFailure{ClinicError::kNotFound, "invitation_not_found", "no invitation with this id"});
  }
  change.revocation = *revoked;
  // adopted: another request's revocation, pending its event, which may still fail; this
  // request now stands behind it and audits it too.
  if (revoked->byThisCall || revoked->adopted) {
    change.event = AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Delete,
                              cp::AuditOutcome::Success, "invitation_revoke", "", who.user.id, who.user.role, "",
                              "Invitation/" + i->id, "Appointment/" + i->appointmentId, std::nullopt};
  }
  if (!revoked->byThisCall) {
    change.change.clear();  // revoked before: nothing of this request's to undo
  }
  i->revokedAt = revoked->at;
  change.invitation = std::move(*i);
  return change;
}

std::vector<store::InvitationRecord> AppointmentService::invitations(const std::string& appointmentId) {
  return store_.listInvitations(appointmentId);
}

std::optional<RedeemFailure> AppointmentService::startAttempt(const RedeemRequest& r, bool redeeming, int64_t now) {
  if (r.token.has_value() == r.code.has_value()) {
    return RedeemFailure{RedeemError::kInvalidRequest};
  }
  if (redeeming && !validGuestName(r.name)) {
    return RedeemFailure{RedeemError::kInvalidName};
  }
  if (!r.code) {
    return std::nullopt;  // link tokens carry 256 bits and need no limit
  }
  std::string addressKey = "address:" + r.sourceAddress;
  int64_t wait = std::max(codesPerAddress_.retryAfter(addressKey, now), codesGlobal_.retryAfter(kGlobalKey, now));
  if (wait > 0) {
    // One event per source per window with the count, and a log line only with it (issue
    // 10 item 6, as for rate-limited sign-ins): a flood of guesses is not a flood of lines.
    AuditFacts facts{cp::dicom::securityAlert(), std::nullopt, cp::AuditAction::Execute,
                     cp::AuditOutcome::MinorFailure, "invitation_code_rate_limited", "", "", "anonymous",
                     r.sourceAddress, "", "", std::nullopt};
    if (refusals_.refuse(facts, addressKey)) {
      log::info("invitation_code_refused", {{"reason", "too_many_attempts"}, {"retry_after", wait}});
    }
    return RedeemFailure{RedeemError::kTooManyAttempts, wait};
  }
  // Counted before the look-up, taken back in settle() unless the code was wrong.
  codesPerAddress_.recordFailure(addressKey, now);
  codesGlobal_.recordFailure(kGlobalKey, now);
  return std::nullopt;
}

void AppointmentService::abandonAttempt(const RedeemRequest& r) {
  if (r.code) {
    codesPerAddress_.forgetLatest("address:" + r.sourceAddress);
    codesGlobal_.forgetLatest(kGlobalKey);
  }
}

std::optional<store::InvitationRecord> AppointmentService::lookUp(store::Store& store, const RedeemRequest& r) const {
  if (r.token) {
    return r.token->size() <= 128 ? store.findInvitationByTokenHash(hashSecret(*r.token)) : std::nullopt;
  }
  const std::string& code = *r.code;
  bool wellFormed = code.size() == policy_.codeDigits && code.find_first_not_of("0123456789") == std::string::npos;
  return wellFormed ? store.findInvitationByCodeHash(keyedHash(codeKey_, code)) : std::nullopt;
}

bool AppointmentService::lookUpUsable(store::Store& store, const RedeemRequest& r, int64_t now, bool refuseUsed,
                                      InvitationAttempt& a) const {
  a.viaCode = r.code.has_value();
  a.invitation = lookUp(store, r);
  if (!a.invitation) {
    a.wrongCode = a.viaCode;
    a.refused = RedeemError::kNotFound;
  } else if (a.invitation->revokedAt) {
    a.refused = RedeemError::kRevoked;
  } else if (refuseUsed && a.invitation->usedAt) {
    a.refused = RedeemError::kUsed;
  } else if (now >= a.invitation->expiresAt) {
    a.refused = RedeemError::kExpired;
  }
  return !a.refused;
}

AppointmentService::InvitationAttempt AppointmentService::checkIn(store::Store& store, const RedeemRequest& r,
                                                                  int64_t now) const {
  InvitationAttempt a;
  try {
    lookUpUsable(store, r, now, /*refuseUsed=*/false, a);
  } catch (...) {
    a.storeFailure = std::current_exception();
  }
  return a;
}

AppointmentService::InvitationAttempt AppointmentService::redeemIn(store::Store& store, const RedeemRequest& r,
                                                                   int64_t now) const {
  InvitationAttempt a;
  try {
    if (!lookUpUsable(store, r, now, /*refuseUsed=*/true, a)) {
      return a;
    }
    store::InvitationRecord& i = *a.invitation;
    auto appointment = store.findAppointment(i.appointmentId);
    auto tenant = appointment ? store.findTenant(appointment->tenantId) : std::nullopt;
    if (!appointment || !tenant || appointment->status == "cancelled") {
      a.refused = RedeemError::kRevoked;
      return a;
    }
    store::GuestRecord g;
    g.id = "g_" + randomHex(8);
    if (!store.claimInvitation(i.id, g.id, now)) {
      // Someone else redeemed it between our read and our write (or it just expired).
      auto again = store.findInvitation(i.id);
      a.refused = again && again->revokedAt ? RedeemError::kRevoked
                  : again && again->usedAt  ? RedeemError::kUsed
                                            : RedeemError::kExpired;
      return a;
    }
    g.identity = g.id;
    g.roomId = i.roomId;
    g.role = i.role;
    g.state = "waiting";
    g.tenantId = i.tenantId;
    g.invitationId = i.id;
    g.createdAt = now;
    g.updatedAt = now;
    g = store.createGuest(g);
    i.usedAt = now;
    i.usedByGuestId = g.id;
    a.event = AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Execute,
                         cp::AuditOutcome::Success, "invitation_redeem", a.viaCode ? "code" : "link", g.id,
                         g.role, r.sourceAddress, "Invitation/" + i.id, "Room/" + i.roomId,
                         cp::PersonalText{g.id, r.name, "", false}};
    a.redeemed = Redeemed{std::move(g), i, std::move(*appointment), std::move(*tenant)};
  } catch (...) {
    a.storeFailure = std::current_exception();
  }
  return a;
}

std::optional<RedeemFailure> AppointmentService::settle(const RedeemRequest& r, const InvitationAttempt& a,
                                                        bool auditRefusal) {
  if (a.wrongCode) {
    // Stays counted (startAttempt). Evidence of a guess, nothing to undo: written without
    // blocking, a failed write logged.
    auditLater(audit_,
               AuditFacts{cp::dicom::securityAlert(), std::nullopt, cp::AuditAction::Execute,
                          cp::AuditOutcome::MinorFailure, "invitation_code_wrong", "", "", "anonymous",
                          r.sourceAddress, "", "", std::nullopt},
               logAuditFailure("invitation_code_wrong"));
  } else {
    abandonAttempt(r);  // a right code (or a database failure) is no wrong guess
  }
  if (a.storeFailure) {
    std::rethrow_exception(a.storeFailure);
  }
  if (!a.refused) {
    return std::nullopt;
  }
  if (auditRefusal && a.invitation) {
    AuditFacts facts{cp::dicom::securityAlert(), std::nullopt, cp::AuditAction::Execute,
                     cp::AuditOutcome::MinorFailure, "invitation_redeem", toString(*a.refused), "", "anonymous",
                     r.sourceAddress, "Invitation/" + a.invitation->id, "", std::nullopt};
    if (refusals_.refuse(facts, limitSourceKey(r.sourceAddress) + " Invitation/" + a.invitation->id)) {
      log::info("invitation_refused", {{"invitation", a.invitation->id}, {"reason", toString(*a.refused)}});
    }
  }
  return RedeemFailure{*a.refused};
}

Result<Redeemed, RedeemFailure> AppointmentService::finishRedeem(const RedeemRequest& r, InvitationAttempt& a) {
  if (auto refused = settle(r, a, /*auditRefusal=*/true)) {
    return fail(*refused);
  }
  return std::move(*a.redeemed);
}

Result<store::InvitationRecord, RedeemFailure> AppointmentService::finishCheck(const RedeemRequest& r,
                                                                               InvitationAttempt& a) {
  if (auto refused = settle(r, a, /*auditRefusal=*/false)) {
    return fail(*refused);
  }
  return std::move(*a.invitation);
}

Result<store::InvitationRecord, RedeemFailure> AppointmentService::checkInvitation(const RedeemRequest& r) {
  int64_t now = nowSeconds();
  if (auto refused = startAttempt(r, /*redeeming=*/false, now)) {
    return fail(*refused);
  }
  InvitationAttempt a = checkIn(store_, r, now);
  return finishCheck(r, a);
}

Result<Redeemed, RedeemFailure> AppointmentService::redeem(const RedeemRequest& r) {
  int64_t now = nowSeconds();
  if (auto refused = startAttempt(r, /*redeeming=*/true, now)) {
    return fail(*refused);
  }
  InvitationAttempt a = redeemIn(store_, r, now);
  auto redeemed = finishRedeem(r, a);
  if (!redeemed) {
    return redeemed;
  }
  try {
    audit(audit_, a.event);
  } catch (...) {
    store_.unclaimInvitation(redeemed->invitation.id, redeemed->guest.id);  // fail closed (H6)
    throw;
  }
  log::info("invitation_redeemed", {{"invitation", redeemed->invitation.id}, {"guest", redeemed->guest.id},
                                    {"role", redeemed->guest.role}, {"via", a.viaCode ? "code" : "link"}});
  return redeemed;
}

}  // namespace medrtc::clinic
