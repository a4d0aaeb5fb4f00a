#pragma once
// Whether a subscriber's announced decoder (DecoderCodec, from its join) decodes a track
// sent as `codec` (what the SFU forwards; it does not transcode). The rules are the ones
// an SDP answerer applies to match formats (RFC 3264 §6.1): same encoding name, clock
// rate and channels; for H.264 also the same packetization-mode and profile (RFC 6184
// §8.2.2: the level may differ, the profile may not), read as libwebrtc reads them.
// `kind` is the track's ("audio" or "video"): a browser lists its decoders per kind
// (RTCRtpReceiver.getCapabilities(kind)), and a name listed under the other kind is not a
// decoder for this track (some names exist under both, as red and rtx do).
#include <string>

#include "sfu/rtp_parameters.hpp"

namespace medrtc::sfu {

bool decodes(const DecoderCodec& decoder, const std::string& kind, const RtpCodec& codec);

}  // namespace medrtc::sfu
