#include "signaling/metrics_endpoint.hpp"

#include <cctype>
#include <vector>

#include "clinic/secrets.hpp"
#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"

namespace medrtc::signaling {

namespace {

// RFC 6750 §2.1; the scheme name is case-insensitive (RFC 9110 §11.1).
std::string_view bearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) {
    return {};
  }
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) {
      return {};
    }
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  return token;
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(std::string token, metrics::Collector collect)
    : token_(std::move(token)), collect_(std::move(collect)) {}

HttpResponse MetricsEndpoint::serveWithToken(const HttpRequest& request) const {
  if (token_.empty()) {
    // Off on the main listener: do not even admit the route exists.
    return problem(404, "not_found", "no such resource");
  }
  if (!clinic::secretEquals(bearerToken(request.authorization), token_)) {
    HttpResponse r = problem(401, "unauthorized", "the metrics token is required (Authorization: Bearer <token>)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  return serve(request.accept);
}

HttpResponse MetricsEndpoint::serve(std::string_view acceptHeader) const {
  std::vector<metrics::Family> families;
  if (collect_) {
    collect_(families);
  }
  metrics::Exposition format = metrics::negotiate(acceptHeader);
  HttpResponse r;
  r.status = 200;
  r.contentType = std::string(metrics::contentType(format));
  r.body = metrics::render(families, format);
  return r;
}

// The REST route (rest_api.cpp's table); without an endpoint set it is off.
HttpResponse RestApi::metrics(const HttpRequest& r, const Params&) {
  if (metrics_ == nullptr) {
    return problem(404, "not_found", "no such resource");
  }
  return metrics_->serveWithToken(r);
}

}  // namespace medrtc::signaling
