#pragma once
// SessionDescription → text, CRLF line ends (RFC 8866 §5), in a fixed attribute order so the
// same description always gives the same bytes (tests and logs can compare them).
#include <string>

#include "sdp/session_description.hpp"

namespace medrtc::sdp {

std::string serialize(const SessionDescription& sdp);

}  // namespace medrtc::sdp
