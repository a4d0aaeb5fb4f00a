#pragma once
// The REST API (docs/openapi.yaml) as a routing table of plain handlers: no Beast here,
// the HTTP session hands in an HttpRequest and writes the HttpResponse back.
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "signaling/http_types.hpp"
#include "signaling/join_token.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/store.hpp"

namespace medrtc::signaling {

inline constexpr size_t kMaxRequestBodyBytes = 64 * 1024;

struct RouteInfo {
  std::string_view method;
  std::string_view path;  // template, e.g. "/api/v1/rooms/{id}"
};

class RestApi {
 public:
  RestApi(store::Store& store, const JoinTokenSigner& tokens, SignalingHub& hub, const Clock& clock, bool devMode);

  // True for paths this API owns (/healthz and /api/...); everything else is static.
  static bool owns(const std::string& path);
  // Every route the router knows (docs/openapi.yaml must list exactly these).
  static std::vector<RouteInfo> routes();

  HttpResponse handle(const HttpRequest& request);

  // Values captured from the route template.
  struct Params {
    std::string id;
  };

 private:
  HttpResponse healthz(const HttpRequest& r, const Params& p);
  HttpResponse websocketWithoutUpgrade(const HttpRequest& r, const Params& p);
  HttpResponse createRoom(const HttpRequest& r, const Params& p);
  HttpResponse getRoom(const HttpRequest& r, const Params& p);
  HttpResponse deleteRoom(const HttpRequest& r, const Params& p);
  HttpResponse createToken(const HttpRequest& r, const Params& p);
  HttpResponse createDevRoom(const HttpRequest& r, const Params& p);

  bool authorized(const HttpRequest& r);
  int64_t nowSeconds() const;

  store::Store& store_;
  const JoinTokenSigner& tokens_;
  SignalingHub& hub_;
  const Clock& clock_;
  bool devMode_;
};

// RFC 3339 UTC, e.g. "2026-01-31T12:00:00Z".
std::string formatTimestamp(int64_t unixSeconds);

}  // namespace medrtc::signaling
