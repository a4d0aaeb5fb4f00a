#pragma once
// What this build of medrtc can actually do. A rule whose feature is not built is
// "not met" no matter what a configuration flag claims (house rule 7): a setting can
// switch a feature off, never conjure one. Flip a value here only in the commit that
// lands the feature and its test.
namespace medrtc::compliance {

struct BuiltFeatures {
  // K6/K9 (docs/e2ee.md): in a room a profile with encryption.e2ee_required governs,
  // signaling/signaling_hub.cpp refuses a join without the "e2ee" capability
  // (e2ee_unsupported) and signaling/e2ee_relay.cpp relays only opaque keys and chat
  // ciphertext (E2eeRelay.*); the web client encrypts every frame with SFrame (RFC 9605)
  // under per-sender keys the server never holds (tests/e2e/e2ee-*.test.mjs, with the SFU
  // tap of medrtc-tap showing the forwarded payloads are ciphertext).
  bool e2ee = true;
  // K7: signaling/media_mode.cpp puts a 1:1 room of P2P-capable clients on a direct
  // browser-to-browser connection (web/src/call/p2p.ts) and relays media only for three or
  // more, or when P2P does not connect (MediaMode.*, tests/e2e/p2p-call.test.mjs).
  bool peerToPeer = true;
  bool recordingControls = false;  // recording pipeline with consent + at-rest encryption: not built
  bool transcription = false;      // not built
  // H3: clinic/auth_service.cpp ends a staff session after min(tenant setting, the
  // governing profiles' session.idle_logoff_minutes) idle (AuthPolicyTest.IdleLogoff*).
  bool idleLogoff = true;
  // H8: TOTP (RFC 6238, clinic/totp.cpp). app/clinic_admin.cpp create-user and
  // clinic/auth_service.cpp sign-in refuse a staff account without it where a governing
  // profile requires MFA (checkStaffAccount; ClinicAdmin.*Totp*, AuthPolicyTest.*).
  bool staffMfa = true;
  // K3/K12: signaling/consultation_controls.cpp holds every invited guest (patient,
  // interpreter, carer) without media until a host admits them (WaitingRoom.*).
  bool waitingRoom = true;
  bool auditLog = true;            // this module: RFC 6962 log + signed checkpoints
  bool cryptoShredding = true;     // per-subject keys for audit personal fields
  bool retentionPurge = true;      // store metadata and keys; serve: at start, hourly (store_retention.hpp)
};

constexpr BuiltFeatures kBuiltFeatures{};

}  // namespace medrtc::compliance
