#pragma once
// RFC 9457 problem details: every REST error leaves through here as
// application/problem+json with type, title, status, detail and our stable `code`.
#include <string>
#include <string_view>

#include "signaling/http_types.hpp"

namespace medrtc::signaling {

// `code` is a stable snake_case identifier clients can switch on; `type` is derived
// from it ("https://medrtc.dev/problems/<code>" — a name, not a fetched URL).
HttpResponse problem(int status, std::string_view code, std::string_view detail);

// The RFC 9110 reason phrase for the status codes we use.
const char* reasonPhrase(int status);

}  // namespace medrtc::signaling
