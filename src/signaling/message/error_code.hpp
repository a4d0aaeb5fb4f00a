#pragma once
// The error codes of docs/protocol.md, and the WebSocket close code that ends a socket
// after a fatal one (4000 + the code's number, RFC 6455 §7.4.2: 4000-4999 are private use).
#include <cstdint>

namespace medrtc::signaling {

enum class ErrorCode : uint16_t {
  kInvalidMessage = 1,
  kMessageTooLarge = 2,
  kAuthRequired = 3,
  kTokenInvalid = 4,
  kTokenExpired = 5,
  kRoomNotFound = 6,
  kRoomEnded = 7,
  kDuplicateIdentity = 8,
  kAlreadyJoined = 9,
  kNotJoined = 10,
  kSdpInvalid = 11,
  kStaleVersion = 12,
  kForbidden = 13,
  kInternal = 14,
  kMediaFailed = 15,
};

const char* toString(ErrorCode code);
bool isFatal(ErrorCode code);
inline uint16_t closeCodeFor(ErrorCode code) { return static_cast<uint16_t>(4000 + static_cast<uint16_t>(code)); }

}  // namespace medrtc::signaling
