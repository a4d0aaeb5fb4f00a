#pragma once
// Text → SessionDescription. Tolerant of LF or CRLF line ends and of attributes it does not
// know (kept verbatim), strict about what the server acts on: a valid "v=0" first, numbers
// in range, payload types 0..127, extmap ids 1..255, ports 0..65535, unique mids. Never
// throws; on failure names the error and the 1-based line.
#include <cstddef>
#include <string_view>

#include "common/result.hpp"
#include "sdp/sdp_error.hpp"
#include "sdp/session_description.hpp"

namespace medrtc::sdp {

// Signaling frames are at most 64 KiB (docs/protocol.md), so no legitimate SDP is larger.
inline constexpr size_t kMaxSdpBytes = 64 * 1024;
inline constexpr size_t kMaxSdpLines = 4096;

Result<SessionDescription, ParseFailure> parse(std::string_view sdp);

}  // namespace medrtc::sdp
