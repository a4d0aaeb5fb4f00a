#pragma once
// Known-answer tests of every primitive SRTP needs from OpenSSL (AES-128-CTR, HMAC-SHA1,
// AES-128-GCM, AES-256-GCM), run once when `serve` starts. A machine whose OpenSSL lacks
// one of them (a FIPS or trimmed provider configuration, a broken library) then refuses
// to start with a message naming it, instead of starting healthy and failing every call
// at key setup.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "srtp/srtp_profile.hpp"

namespace medrtc::srtp {

struct SrtpKnownAnswer {
  std::string_view name;  // what failing it means, for the message
  SrtpProfile profile;
  bool fromMasterKey;          // true: keyAndSalt is a master key || salt; false: session key || salt
  std::string_view keyHex;     // key || salt
  std::string_view plainHex;   // an RTP packet
  std::string_view protectedHex;
};

// The built-in answers: RFC 3711 / libsrtp's reference packet for AES-CM + HMAC-SHA1, and
// RFC 7714 §16.1.1 / §16.2.1 for GCM.
std::span<const SrtpKnownAnswer> builtinSrtpKnownAnswers();

// Protects and unprotects each packet; nullopt when all match, else a sentence naming the
// first that did not.
std::optional<std::string> runSrtpKnownAnswers(std::span<const SrtpKnownAnswer> answers);

inline std::optional<std::string> srtpCryptoSelfTest() { return runSrtpKnownAnswers(builtinSrtpKnownAnswers()); }

}  // namespace medrtc::srtp
