#include "ice/stun_error.hpp"

namespace medrtc::ice {

const char* toString(StunError error) {
  switch (error) {
    case StunError::kTooShort:
      return "stun_too_short";
    case StunError::kNotStun:
      return "stun_not_stun";
    case StunError::kBadLength:
      return "stun_bad_length";
    case StunError::kBadAttribute:
      return "stun_bad_attribute";
    case StunError::kAttributeTooLong:
      return "stun_attribute_too_long";
    case StunError::kTooManyAttributes:
      return "stun_too_many_attributes";
    case StunError::kFingerprintNotLast:
      return "stun_fingerprint_not_last";
    case StunError::kBufferTooSmall:
      return "stun_buffer_too_small";
  }
  return "stun_unknown_error";
}

}  // namespace medrtc::ice
