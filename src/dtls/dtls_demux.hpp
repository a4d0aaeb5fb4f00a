#pragma once
// RFC 7983 §7: on a port shared by STUN, DTLS and SRTP, a first byte in 20..63 is DTLS.
#include "common/bytes.hpp"

namespace medrtc::dtls {

inline bool looksLikeDtls(ByteView datagram) {
  return !datagram.empty() && datagram[0] >= 20 && datagram[0] <= 63;
}

}  // namespace medrtc::dtls
