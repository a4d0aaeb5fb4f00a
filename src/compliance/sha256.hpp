#pragma once
// SHA-256, the hash of the audit Merkle tree (RFC 6962 §2.1 fixes SHA-256 for CT logs;
// RFC 9162 §2.1 keeps it as the default).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/hex.hpp"
#include "common/result.hpp"

namespace medrtc::compliance {

using Hash = std::array<uint8_t, 32>;

Hash sha256(std::span<const uint8_t> data);
Hash sha256(std::string_view data);

// Lowercase hex, as the audit formats write hashes (common/hex.hpp).
using medrtc::toHex;
// Parses exactly 64 lowercase or uppercase hex digits.
bool hashFromHex(std::string_view hex, Hash& out);

// Standard base64 with padding (RFC 4648 §4), as the C2SP note formats use it.
std::string toBase64(std::span<const uint8_t> bytes);
bool fromBase64(std::string_view text, std::string& out);

}  // namespace medrtc::compliance
