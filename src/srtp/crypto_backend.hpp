#pragma once
// Prepares libsrtp's crypto backend once per process, before the first session.
namespace medrtc::srtp {

// Initialises NSS (when libsrtp was built on it, as Debian's is) sized for many sessions,
// then libsrtp itself. Returns false when libsrtp could not be initialised. Idempotent and
// thread-safe.
bool initCryptoBackendOnce();

// True when this build set NSS up itself (false: no NSS, or NSS was already initialised by
// someone else and keeps their settings).
bool nssTunedForTime();

}  // namespace medrtc::srtp
