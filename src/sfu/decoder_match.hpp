#pragma once
// Whether a subscriber's announced decoder (DecoderCodec, from its join) decodes a track
// sent as `codec` (what the SFU forwards; it does not transcode). The rules are the ones
// an SDP answerer applies to match formats (RFC 3264 §6.1): same encoding name, clock
// rate and channels; for H.264 also the same packetization-mode and profile (RFC 6184
// §8.2.2: the level may differ, the profile may not), read as libwebrtc reads them.
#include "sfu/rtp_parameters.hpp"

namespace medrtc::sfu {

bool decodes(const DecoderCodec& decoder, const RtpCodec& codec);

}  // namespace medrtc::sfu
