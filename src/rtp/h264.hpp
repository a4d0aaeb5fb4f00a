#pragma once
// H.264 keyframe detection over RTP payloads (RFC 6184 §5.6-§5.8).
#include "common/bytes.hpp"

namespace medrtc::rtp {

// True if the payload starts or contains an IDR picture or an SPS (which Chrome sends right
// before every IDR): a single NAL unit of type 5 or 7, a STAP-A aggregating one of those,
// or the first fragment (S bit) of an FU-A whose original type is 5 or 7.
bool isH264Keyframe(ByteView payload);

}  // namespace medrtc::rtp
