#pragma once
// Bearer secrets of the clinic flow (session cookies, CSRF tokens, invitation link
// tokens and codes): how they are drawn and how the store keeps them (hashed only).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace medrtc::clinic {

// 32 random bytes as unpadded base64url (RFC 4648 §5): 43 characters, 256 bits.
std::string randomToken();
// `digits` decimal digits drawn uniformly (rejection sampling, no modulo bias).
std::string randomDigits(size_t digits);
// Hex BLAKE2b-256 of a high-entropy secret (tokens): a leaked table reveals nothing usable.
std::string hashSecret(std::string_view secret);
// Hex BLAKE2b-256 keyed with a server secret: for low-entropy secrets (9-digit codes)
// whose plain hash could be brute-forced offline from a leaked database.
std::string keyedHash(std::span<const uint8_t> key, std::string_view secret);
// A 32-byte key derived from `master` for one purpose (BLAKE2b keyed with master).
std::vector<uint8_t> deriveKey(std::span<const uint8_t> master, std::string_view purpose);
// Constant-time equality of two strings.
bool secretEquals(std::string_view a, std::string_view b);

}  // namespace medrtc::clinic
