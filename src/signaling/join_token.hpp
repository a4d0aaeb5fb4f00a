#pragma once
// Join tokens: what a participant presents in `join` (docs/protocol.md). A token is
//   base64url(JSON payload) "." base64url(HMAC-SHA-256(secret, base64url(JSON payload)))
// (RFC 4648 §5 alphabet, no padding; RFC 2104 HMAC). The MAC covers the encoded payload
// text, so verification never parses attacker-controlled JSON before the MAC checks out.
// Payload: {v:1, room, identity, name, role, grants:{publish,subscribe}, iat, exp, jti}, and
// for clinic tokens the state they depend on: appt (the appointment), sid (the sign-in
// session that minted a host token). Both are re-checked at every join (join_check.hpp).
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace medrtc::signaling {

enum class TokenError {
  kMalformed,     // not two base64url parts, bad JSON, missing/invalid fields, wrong version
  kBadSignature,  // the MAC does not match: tampered, or signed with another secret
  kExpired,       // now >= exp
};

const char* toString(TokenError e);

inline constexpr std::chrono::seconds kDefaultTokenTtl{3600};
inline constexpr std::chrono::seconds kMaxTokenTtl{24 * 3600};
// crypto_auth_hmacsha256_KEYBYTES
inline constexpr size_t kTokenSecretBytes = 32;

struct JoinClaims {
  std::string roomId;
  std::string identity;  // the integrator's id for the person; unique per room
  std::string name;      // display name: shown to the room, never logged
  std::string role;      // "host" | "guest"
  bool canPublish = true;
  bool canSubscribe = true;
  int64_t issuedAt = 0;   // Unix seconds
  int64_t expiresAt = 0;  // Unix seconds
  std::string tokenId;    // jti: random, names the token in logs
  // Clinic tokens only (empty otherwise). `appointmentId`: the token lives as long as the
  // appointment's current end + grace, so it follows a reschedule and dies with a
  // cancellation. `sessionHash`: the host token dies with the session that minted it.
  std::string appointmentId;
  std::string sessionHash;
};

// kDeferToAppointment: an appointment-bound token's signed `exp` is the end + grace of the
// booking when it was issued; its caller checks the current booking instead (join_check).
// Tokens without an appointment are always held to their signed `exp`.
enum class ExpiryCheck { kSigned, kDeferToAppointment };

class JoinTokenSigner {
 public:
  // `secret` must be kTokenSecretBytes long (see store::loadOrCreateSecret).
  JoinTokenSigner(std::span<const uint8_t> secret, const Clock& clock);

  // Fills iat/exp/jti from the clock and `ttl`, and signs. The caller bounds `ttl`.
  std::string issue(JoinClaims claims, std::chrono::seconds ttl, JoinClaims* issued = nullptr) const;
  Result<JoinClaims, TokenError> verify(std::string_view token, ExpiryCheck expiry = ExpiryCheck::kSigned) const;

 private:
  std::vector<uint8_t> secret_;
  const Clock& clock_;
};

std::string base64UrlEncode(std::span<const uint8_t> data);
// Empty optional-like failure: returns false if `text` is not unpadded base64url.
bool base64UrlDecode(std::string_view text, std::vector<uint8_t>& out);

}  // namespace medrtc::signaling
