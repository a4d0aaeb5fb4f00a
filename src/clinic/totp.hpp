#pragma once
// One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1, and the
// base32 secrets (RFC 4648 §6) authenticator apps read from an otpauth:// URI.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace medrtc::clinic {

struct TotpParams {
  int digits = 6;        // RFC 6238 §5.3 allows 6-8; authenticator apps use 6
  int64_t stepSeconds = 30;  // X, RFC 6238 §4.1
  int64_t t0 = 0;            // T0
  int window = 1;            // accepted steps either side of now (RFC 6238 §5.2: clock drift)
};

// RFC 4226 §5.3: dynamic truncation of HMAC-SHA-1(key, counter), mod 10^digits,
// zero-padded to `digits`.
std::string hotp(std::span<const uint8_t> key, uint64_t counter, int digits);
// RFC 6238 §4.2: HOTP with T = floor((unixTime - T0) / X).
std::string totpAt(std::span<const uint8_t> key, int64_t unixTime, const TotpParams& params = {});
// The time step T of `code` when it matches within the window, else nullopt. Compares in
// constant time. The caller refuses a step it already accepted (replay, RFC 6238 §5.2).
std::optional<int64_t> verifyTotp(std::span<const uint8_t> key, std::string_view code, int64_t unixTime,
                                  const TotpParams& params = {});

// 20 random bytes (the HMAC-SHA-1 output size, RFC 4226 §4 R6 recommends 160 bits).
std::vector<uint8_t> newTotpSecret();
// RFC 4648 §6 alphabet, no padding (as otpauth URIs carry it).
std::string base32Encode(std::span<const uint8_t> data);
// Accepts upper/lower case, ignores spaces and '=' padding; nullopt on other characters.
std::optional<std::vector<uint8_t>> base32Decode(std::string_view text);
// otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauthUri(std::string_view issuer, std::string_view account, std::string_view base32Secret);

}  // namespace medrtc::clinic
