#pragma once
// One webhook POST over HTTP/1.1 (Boost.Beast), plain or TLS, on the dispatcher's
// io_context: resolve, refuse addresses the target policy forbids, connect, (TLS with
// certificate and host name verification), write, read the status. Bodies of answers are
// read (bounded) and dropped. Everything runs under one deadline.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "webhooks/target_policy.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace medrtc::webhooks {

struct DeliveryOutcome {
  int status = 0;     // the HTTP status, 0 when there was no answer
  // "" on 2xx; else a code: "resolve", "target_refused", "connect", "tls", "timeout", "io",
  // "http_<status>", "cancelled".
  std::string error;
  bool ok() const { return error.empty(); }
};

struct HttpPost {
  WebhookUrl url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Handle to cancel a request in flight (shutdown); the callback then gets "cancelled".
class PendingDelivery {
 public:
  virtual ~PendingDelivery() = default;
  virtual void cancel() = 0;
};

// Starts the POST; `done` runs once on `ioc`'s thread.
std::shared_ptr<PendingDelivery> startPost(boost::asio::io_context& ioc, boost::asio::ssl::context& tls,
                                           const TargetPolicy& policy, HttpPost request,
                                           std::chrono::milliseconds timeout,
                                           std::function<void(DeliveryOutcome)> done);

}  // namespace medrtc::webhooks
