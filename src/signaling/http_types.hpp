#pragma once
// Plain HTTP request/response values, so REST handlers and their tests need no Beast.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace medrtc::signaling {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // origin-form, e.g. "/api/v1/rooms?x=1"
  std::string authorization;  // the Authorization header, if any
  std::string cookie;         // the Cookie header, if any (RFC 6265 §5.4)
  std::string csrfToken;      // the X-CSRF-Token header, if any
  std::string contentType;    // the Content-Type header, if any
  std::string host;           // the Host header (RFC 9110 §7.2), if any
  std::string origin;         // the Origin header (RFC 6454 §7), if any
  std::string secFetchSite;   // the Sec-Fetch-Site header (Fetch Metadata), if any
  std::string accept;         // the Accept header, if any (/metrics picks its format)
  std::string remoteAddress;  // the peer's IP address (rate limits, audit); may be empty
  bool secure = false;        // arrived over TLS: cookies get the Secure attribute
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string contentType;  // empty: no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, Allow, ...)
  bool noStore = true;  // Cache-Control: no-store (API responses)
  // Set instead of the fields above by a handler whose answer comes later (a password
  // hash on the worker pool): the HTTP session passes the function that writes the
  // answer, which the handler calls once, on the control thread.
  std::function<void(std::function<void(const HttpResponse&)>)> deferred;
};

// The path part of a request target, without query or fragment.
std::string targetPath(const std::string& target);

}  // namespace medrtc::signaling
