#pragma once
// Password hashing with argon2id (libsodium crypto_pwhash_str, RFC 9106). The encoded
// string carries algorithm, parameters and salt, so old hashes still verify after the
// limits change.
#include <string>
#include <string_view>

namespace medrtc::clinic {

inline constexpr size_t kMinPasswordChars = 8;
inline constexpr size_t kMaxPasswordBytes = 1024;

// The encoded argon2id hash. Throws std::runtime_error when libsodium runs out of memory.
std::string hashPassword(std::string_view password);
// Constant-time verification against an encoded hash; false for an empty or foreign hash.
bool verifyPassword(std::string_view encodedHash, std::string_view password);
// Burns the same work as a verification, so an unknown account is not faster to refuse
// than a wrong password (no user enumeration by timing).
void verifyPasswordDummy(std::string_view password);

}  // namespace medrtc::clinic
