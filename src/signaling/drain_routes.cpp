// Graceful drain on the REST side (README.md "Stopping without dropping calls"): /readyz tells a load
// balancer to stop sending new work, and the routes that would start a new call answer
// 503 with Retry-After while the hub drains. Routes for a call already running keep
// working (SignalingHub::startDraining).
#include <boost/json.hpp>

#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

// Long enough for the restarted node (or a load balancer's other node) to be back.
constexpr const char* kDrainRetryAfterSeconds = "10";

HttpResponse draining(std::string_view detail) {
  HttpResponse r = problem(503, "server_draining", detail);
  r.headers.emplace_back("Retry-After", kDrainRetryAfterSeconds);
  return r;
}

}  // namespace

HttpResponse RestApi::readyz(const HttpRequest&, const Params&) {
  if (hub_.draining()) {
    return draining("the server is shutting down and takes no new calls");
  }
  return jsonResponse(200, json::object{{"status", "ready"}});
}

std::optional<HttpResponse> RestApi::refuseNewCall(const std::string& roomId) const {
  if (!hub_.draining() || (!roomId.empty() && hub_.roomLive(roomId))) {
    return std::nullopt;
  }
  return draining("the server is shutting down and starts no new call; try again shortly");
}

}  // namespace medrtc::signaling
