#pragma once
// Where a browser request comes from, for the one cookie-minting route without a CSRF
// token: sign-in. Login CSRF (a foreign page signs the victim's browser into the
// attacker's account) needs a simple cross-site request, so POST /api/v1/auth/login
// accepts only a JSON body (anything else is not "simple" and needs a CORS preflight we
// never grant) from our own origin.
#include <optional>
#include <string_view>

#include "signaling/http_types.hpp"

namespace medrtc::signaling {

// "application/json", with or without parameters (RFC 9110 §8.3.1: the type and
// subtype are case-insensitive).
bool isJsonMediaType(std::string_view contentType);

// False when the browser says the request crossed origins: a Sec-Fetch-Site other than
// "same-origin" or "none" (Fetch Metadata, set by the browser, not by page script), or an
// Origin whose scheme and authority are not this server's (RFC 6454 §7; "null" too).
// Behind a TLS-terminating proxy the request arrives as http while the page was https,
// so a plain-HTTP listener accepts both schemes for its own Host. A request with neither
// header does not come from a browser page, which login CSRF needs, and is allowed.
bool isSameOriginRequest(const HttpRequest& r);

// 403 `cross_origin` or 415 `unsupported_media_type` for a sign-in attempt that fails the
// checks above; nullopt when it passes.
std::optional<HttpResponse> refuseCrossSiteSignIn(const HttpRequest& r);

}  // namespace medrtc::signaling
