#pragma once
// Hexadecimal digits, the one copy: audit hashes (lowercase), DTLS fingerprints (RFC 8122
// §5: uppercase pairs), percent-encoding (RFC 3986 §2.1) and percent-decoding all use it.
#include <cstdint>
#include <string>

#include "common/bytes.hpp"

namespace medrtc {

enum class HexCase { kLower, kUpper };

// The value of one hex digit (either case), -1 for anything else.
int hexValue(char c);

// Two digits per byte, no separator.
void appendHex(std::string& out, uint8_t byte, HexCase letters = HexCase::kLower);
std::string toHex(ByteView bytes, HexCase letters = HexCase::kLower);

}  // namespace medrtc
