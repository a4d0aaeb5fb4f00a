#include "signaling/request_origin.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "signaling/problem.hpp"

namespace medrtc::signaling {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// "host:443" under https and "host:80" under http name the same origin as "host".
std::string withoutDefaultPort(std::string authority, std::string_view scheme) {
  std::string_view port = scheme == "https" ? ":443" : ":80";
  if (authority.size() > port.size() && authority.ends_with(port)) {
    authority.resize(authority.size() - port.size());
  }
  return authority;
}

bool originMatchesHost(std::string_view origin, const HttpRequest& r) {
  std::string o = lower(trim(origin));
  size_t sep = o.find("://");
  if (sep == std::string::npos) {
    return false;  // includes the opaque origin "null"
  }
  std::string scheme = o.substr(0, sep);
  std::string authority = o.substr(sep + 3);
  if (authority.empty() || authority.find_first_of("/?#@") != std::string::npos) {
    return false;
  }
  bool schemeOk = r.secure ? scheme == "https" : (scheme == "http" || scheme == "https");
  if (!schemeOk) {
    return false;
  }
  std::string host = lower(trim(r.host));
  return !host.empty() && withoutDefaultPort(authority, scheme) == withoutDefaultPort(host, scheme);
}

}  // namespace

bool isJsonMediaType(std::string_view contentType) {
  std::string_view type = trim(contentType.substr(0, contentType.find(';')));
  return lower(type) == "application/json";
}

bool isSameOriginRequest(const HttpRequest& r) {
  if (!r.secFetchSite.empty()) {
    std::string site = lower(trim(r.secFetchSite));
    if (site != "same-origin" && site != "none") {
      return false;
    }
  }
  if (!r.origin.empty() && !originMatchesHost(r.origin, r)) {
    return false;
  }
  return true;
}

std::optional<HttpResponse> refuseCrossSiteSignIn(const HttpRequest& r) {
  if (!isSameOriginRequest(r)) {
    // Neither the Origin nor the address is logged: one line per refusal is enough.
    log::info("sign_in_refused", {{"code", "cross_origin"}});
    return problem(403, "cross_origin", "sign-in is accepted only from this server's own pages");
  }
  if (!isJsonMediaType(r.contentType)) {
    return problem(415, "unsupported_media_type", "sign-in takes a JSON body (Content-Type: application/json)");
  }
  return std::nullopt;
}

}  // namespace medrtc::signaling
