#pragma once
// HMAC-SHA1 (RFC 2104) over OpenSSL, the one copy: STUN MESSAGE-INTEGRITY (RFC 8489 §14.5),
// TURN REST credentials and HOTP/TOTP (RFC 4226) all use it. The message comes in pieces
// because STUN hashes its header with a rewritten length field, so it is never contiguous.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "common/bytes.hpp"

namespace medrtc {

inline constexpr size_t kHmacSha1Size = 20;

// Throws std::runtime_error only if OpenSSL itself fails (no HMAC provider).
std::array<uint8_t, kHmacSha1Size> hmacSha1(ByteView key, std::initializer_list<ByteView> parts);
std::array<uint8_t, kHmacSha1Size> hmacSha1(std::string_view key, std::initializer_list<ByteView> parts);

inline ByteView bytesOf(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Constant-time comparison, so checking a MAC leaks nothing through timing.
bool equalsConstantTime(ByteView a, ByteView b);

}  // namespace medrtc
