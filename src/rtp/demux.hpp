#pragma once
// Which protocol a datagram on the shared media port carries.
#include "common/bytes.hpp"

namespace medrtc::rtp {

// RFC 7983 §7: a first byte in 128..191 means RTP or RTCP (version 2 in the top bits).
inline bool looksLikeRtpOrRtcp(ByteView data) {
  return data.size() >= 2 && data[0] >= 128 && data[0] <= 191;
}

// RFC 5761 §4: with rtcp-mux, a second byte in 192..223 is an RTCP packet type (RTP
// payload types 64..95 with the marker bit would collide, which is why they must not be
// used for RTP when multiplexing).
inline bool isRtcp(ByteView data) {
  return looksLikeRtpOrRtcp(data) && data[1] >= 192 && data[1] <= 223;
}

}  // namespace medrtc::rtp
