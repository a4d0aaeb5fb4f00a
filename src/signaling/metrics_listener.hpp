#pragma once
// --metrics-listen HOST:PORT: a second, plain-HTTP listener that serves only GET /metrics,
// without authorization, for a scraper on a private network (loopback by default). It
// shares the control thread's io_context with the main server.
#include <cstdint>
#include <memory>
#include <string>

#include "signaling/metrics_endpoint.hpp"

namespace boost::asio {
class io_context;
}

namespace medrtc::signaling {

class MetricsListener {
 public:
  // `endpoint` outlives the listener.
  MetricsListener(boost::asio::io_context& ioc, const MetricsEndpoint& endpoint);
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  // Binds and accepts. Throws std::runtime_error when the address cannot be bound.
  void start(const std::string& host, uint16_t port);
  uint16_t port() const;
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace medrtc::signaling
