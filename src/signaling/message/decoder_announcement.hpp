#pragma once
// `join.decoders` (docs/protocol.md): what the client's browser can receive, read from
// RTCRtpReceiver.getCapabilities('audio'|'video'). Checked strictly and bounded here, so
// the media plane gets typed parameters only (sfu::ReceiveCapabilities). A malformed
// announcement is not a malformed join: the hub answers `decoders_invalid` and the client
// joins as one that announced nothing.
#include <cstddef>
#include <string>

#include <boost/json/value.hpp>

#include "common/result.hpp"
#include "sfu/rtp_parameters.hpp"

namespace medrtc::signaling {

// Chromium lists about 40 receive codecs (H.264 in a dozen profiles, VP9, AV1, RTX, RED,
// FEC) and about 15 header extensions; these bounds leave room and keep a hostile join cheap.
inline constexpr size_t kMaxAnnouncedCodecs = 128;
inline constexpr size_t kMaxAnnouncedExtensions = 32;
inline constexpr size_t kMaxMimeTypeBytes = 64;
inline constexpr size_t kMaxFmtpBytes = 512;
inline constexpr size_t kMaxExtensionUriBytes = 256;

// The announcement, or the field that is wrong ("decoders.codecs", "decoders.codecs.clock_rate", ...).
Result<sfu::ReceiveCapabilities, std::string> parseDecoderAnnouncement(const boost::json::value& decoders);

}  // namespace medrtc::signaling
