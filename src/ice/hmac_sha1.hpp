#pragma once
// HMAC-SHA1 over a message given in pieces, for MESSAGE-INTEGRITY (RFC 8489 §14.5): the
// header must be hashed with a rewritten length field, so the input is never contiguous.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "common/bytes.hpp"
#include "ice/stun_constants.hpp"

namespace medrtc::ice {

std::array<uint8_t, kHmacSha1Size> hmacSha1(std::string_view key, std::initializer_list<ByteView> parts);

// Constant-time comparison so a MESSAGE-INTEGRITY check leaks nothing through timing.
bool equalsConstantTime(ByteView a, ByteView b);

}  // namespace medrtc::ice
