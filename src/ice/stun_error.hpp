#pragma once
// Named reasons a datagram is not an acceptable STUN message (parse) or could not be built.

namespace medrtc::ice {

enum class StunError {
  kTooShort,            // fewer than 20 bytes
  kNotStun,             // top bits set or wrong magic cookie (RFC 8489 §6.3)
  kBadLength,           // header length not a multiple of 4 or disagrees with the datagram
  kBadAttribute,        // attribute overruns the message or has a malformed value
  kAttributeTooLong,    // USERNAME / SOFTWARE / reason phrase past the RFC 8489 limits
  kTooManyAttributes,   // more attributes than any legitimate ICE message carries
  kFingerprintNotLast,  // RFC 8489 §14.7: FINGERPRINT must be the last attribute
  kBufferTooSmall,      // builder: the caller's buffer cannot hold the message
};

const char* toString(StunError error);

}  // namespace medrtc::ice
