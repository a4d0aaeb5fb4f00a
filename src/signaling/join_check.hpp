#pragma once
// Revocation that revokes (issue 10 item 3): a join token is a signed snapshot, so every
// join — and every admit out of the waiting room — re-reads the state it depends on:
//   - the room has not ended;
//   - the appointment (tokens with `appt`) exists, is neither cancelled nor fulfilled,
//     and its current end + grace has not passed (so the token follows a reschedule);
//   - the sign-in session that minted a host token (`sid`) still exists and is the host's,
//     who is still the appointment's practitioner or delegate;
//   - the guest's invitation is not revoked and not expired (its expiry follows a
//     reschedule too), and the participant was not denied or removed (hosts included).
// One pure function over the store, so the WebSocket hub and clinic::Admission can share it.
#include <cstdint>
#include <optional>
#include <string_view>

#include "signaling/join_token.hpp"
#include "signaling/message/error_code.hpp"
#include "store/store.hpp"

namespace medrtc::signaling {

struct JoinRefusal {
  ErrorCode code;            // kRoomEnded, kTokenExpired, kTokenInvalid, kAccessRevoked, kDenied, kRemoved
  std::string_view message;  // for the `error` message; never personal data
};

// Store faults throw StoreFailure (the caller fails closed).
std::optional<JoinRefusal> checkJoinState(store::Store& store, const JoinClaims& claims, const store::RoomRecord& room,
                                          int64_t now, int64_t appointmentGraceSeconds);

}  // namespace medrtc::signaling
