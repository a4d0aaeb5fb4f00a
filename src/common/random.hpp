#pragma once
// One source of randomness. Security-relevant values (ICE passwords, tokens, SSRCs) use
// the OS CSPRNG through getrandom(2).
#include <cstdint>
#include <span>
#include <string>

namespace medrtc {

void fillRandom(std::span<uint8_t> out);
uint32_t randomU32();
uint64_t randomU64();
// Random string from [A-Za-z0-9+/] (ICE-char, RFC 8839 §5.4), suitable for ufrag/pwd.
std::string randomIceString(size_t length);
// Random lowercase hex string of `bytes` random bytes.
std::string randomHex(size_t bytes);

}  // namespace medrtc
