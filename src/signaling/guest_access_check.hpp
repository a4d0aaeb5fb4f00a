#pragma once
// The periodic re-check of a guest already inside, waiting or in the call
// (SignalingHub::recheckSessions, issue 10 item 3): only what someone ended on purpose —
// the invitation revoked (also by erasing the guest), the appointment cancelled, the guest
// record gone — each `access_revoked`. Not the clock: a consultation that runs past its
// booking keeps its patient (the join-time check, join_check.hpp, bounds who may come in),
// and not the host's denied/removed, which the host's own server already acted on.
// Defined beside checkJoinState (join_check.cpp), whose rules it shares.
#include <optional>

#include "signaling/join_check.hpp"

namespace medrtc::signaling {

// Hosts: nullopt (their sign-in sessions are re-checked apart). Store faults throw
// StoreFailure (the caller keeps the guest: fails open).
std::optional<JoinRefusal> checkGuestStillAllowed(store::Store& store, const JoinClaims& claims);

}  // namespace medrtc::signaling
