#pragma once
// What this build of medrtc can actually do. A rule whose feature is not built is
// "not met" no matter what a configuration flag claims (house rule 7): a setting can
// switch a feature off, never conjure one. Flip a value here only in the commit that
// lands the feature and its test.
namespace medrtc::compliance {

struct BuiltFeatures {
  bool e2ee = false;               // SFrame (RFC 9605) via RTCRtpScriptTransform: not built
  bool peerToPeer = false;         // direct 1:1 media without the SFU: not built
  bool recordingControls = false;  // recording pipeline with consent + at-rest encryption: not built
  bool transcription = false;      // not built
  bool idleLogoff = false;         // H3 session idle timer: not built
  bool staffMfa = false;           // TOTP/WebAuthn for staff: not built
  bool waitingRoom = false;        // K3 server-enforced waiting room: not built (clinic module)
  bool auditLog = true;            // this module: RFC 6962 log + signed checkpoints
  bool cryptoShredding = true;     // per-subject keys for audit personal fields
  bool retentionPurge = true;      // audit side; the store side is not built
};

constexpr BuiltFeatures kBuiltFeatures{};

}  // namespace medrtc::compliance
