#pragma once
// GET /metrics (docs/operations.md): the Prometheus scrape. On the main listener it needs
// the operator's bearer token (--metrics-token-file) and is 404 without one configured;
// on the separate --metrics-listen address (metrics_listener.hpp) it needs none.
#include <string>
#include <string_view>

#include "common/metrics.hpp"
#include "signaling/http_types.hpp"

namespace medrtc::signaling {

class MetricsEndpoint {
 public:
  // `token`: what `Authorization: Bearer` must carry on the main listener (empty: the
  // route is off there). `collect`: every family at scrape time.
  MetricsEndpoint(std::string token, metrics::Collector collect);

  // The main listener: 404 when no token is configured, 401 without the right one.
  HttpResponse serveWithToken(const HttpRequest& request) const;
  // The separate metrics listener: no authorization.
  HttpResponse serve(std::string_view acceptHeader) const;

 private:
  std::string token_;
  metrics::Collector collect_;
};

}  // namespace medrtc::signaling
