#include "signaling/join_check.hpp"
#include "signaling/guest_access_check.hpp"

namespace medrtc::signaling {

namespace {

constexpr JoinRefusal kGuestGone{ErrorCode::kAccessRevoked, "the guest record no longer exists"};
constexpr JoinRefusal kInvitationWithdrawn{ErrorCode::kAccessRevoked, "the invitation was withdrawn"};

// A guest whose token came from redeeming an invitation of an appointment.
bool clinicGuest(const JoinClaims& claims) { return claims.role != "host" && !claims.appointmentId.empty(); }

std::optional<JoinRefusal> checkAppointment(store::Store& store, const JoinClaims& claims,
                                            const store::RoomRecord& room, int64_t now, int64_t grace) {
  auto a = store.findAppointment(claims.appointmentId);
  if (!a || a->roomId != room.id) {
    // Purged by retention, or a token for another room: nothing to join.
    return JoinRefusal{ErrorCode::kTokenInvalid, "token invalid"};
  }
  if (a->status == "cancelled") {
    return JoinRefusal{ErrorCode::kRoomEnded, "the appointment was cancelled"};
  }
  if (a->status == "fulfilled") {  // FHIR Appointment.status: the consultation took place
    return JoinRefusal{ErrorCode::kRoomEnded, "the consultation has ended"};
  }
  if (now >= a->end + grace) {
    return JoinRefusal{ErrorCode::kTokenExpired, "the appointment is over"};
  }
  // A clinic host token names a user: it hosts only while that user is the appointment's
  // practitioner or delegate (a withdrawn "cover for" ends it).
  bool clinicHost = claims.role == "host" && !claims.sessionHash.empty();
  if (clinicHost && claims.identity != a->practitionerId &&
      (a->hostDelegateId.empty() || claims.identity != a->hostDelegateId)) {
    return JoinRefusal{ErrorCode::kAccessRevoked, "no longer the host of this appointment"};
  }
  return std::nullopt;
}

std::optional<JoinRefusal> checkSession(store::Store& store, const JoinClaims& claims, int64_t now) {
  auto s = store.findSession(claims.sessionHash);
  // Signed out (the row is deleted), erased, or past its absolute limit. Idle logoff is
  // not applied here: a practitioner in a long call does not touch the REST API.
  if (!s || s->userId != claims.identity || s->expiresAt <= now) {
    return JoinRefusal{ErrorCode::kAccessRevoked, "the sign-in session that issued this token has ended"};
  }
  return std::nullopt;
}

// The guest's record and invitation still stand: a clinic guest's record exists, and the
// invitation it came through is neither deleted nor revoked. Expiry is the caller's: the
// join checks it, the periodic re-check deliberately does not.
struct StandingGuest {
  std::optional<store::GuestRecord> guest;  // none for a guest of an integrator room without a record yet
  std::optional<store::InvitationRecord> invitation;
  std::optional<JoinRefusal> refused;
};

StandingGuest guestStillStands(store::Store& store, const JoinClaims& claims, const std::string& roomId) {
  StandingGuest out;
  out.guest = store.findGuestByIdentity(roomId, claims.identity);
  if (!out.guest) {
    // A clinic guest's record is made when the invitation is redeemed: none now means it
    // was deleted (a purge, another node), and the admission must not make a fresh one
    // that waits anew, without its invitation.
    if (clinicGuest(claims)) {
      out.refused = kGuestGone;
    }
    return out;
  }
  if (!out.guest->invitationId.empty()) {
    out.invitation = store.findInvitation(out.guest->invitationId);
    if (!out.invitation || out.invitation->revokedAt) {
      out.refused = kInvitationWithdrawn;
    }
  }
  return out;
}

}  // namespace

std::optional<JoinRefusal> checkJoinState(store::Store& store, const JoinClaims& claims, const store::RoomRecord& room,
                                          int64_t now, int64_t appointmentGraceSeconds) {
  if (room.ended()) {
    return JoinRefusal{ErrorCode::kRoomEnded, "room has ended"};
  }
  if (!claims.appointmentId.empty()) {
    if (auto refused = checkAppointment(store, claims, room, now, appointmentGraceSeconds)) {
      return refused;
    }
  }
  if (!claims.sessionHash.empty()) {
    if (auto refused = checkSession(store, claims, now)) {
      return refused;
    }
  }
  StandingGuest standing = guestStillStands(store, claims, room.id);
  if (standing.refused) {
    return standing.refused;
  }
  if (standing.invitation && now >= standing.invitation->expiresAt) {
    return JoinRefusal{ErrorCode::kTokenExpired, "the invitation has expired"};
  }
  const auto& guest = standing.guest;
  if (!guest) {
    return std::nullopt;
  }
  if (guest->state == "denied") {
    return JoinRefusal{ErrorCode::kDenied, "entry was denied"};
  }
  if (guest->state == "removed") {
    return JoinRefusal{ErrorCode::kRemoved, "removed from the consultation"};
  }
  return std::nullopt;
}

std::optional<JoinRefusal> checkGuestStillAllowed(store::Store& store, const JoinClaims& claims) {
  if (claims.role == "host") {
    return std::nullopt;
  }
  if (!claims.appointmentId.empty()) {
    auto a = store.findAppointment(claims.appointmentId);
    if (!a || a->status == "cancelled") {  // cancelled, or purged with its guests
      return JoinRefusal{ErrorCode::kAccessRevoked, "the appointment was cancelled"};
    }
  }
  // Expiry deliberately not: a guest in a running call stays past it.
  return guestStillStands(store, claims, claims.roomId).refused;
}

}  // namespace medrtc::signaling
