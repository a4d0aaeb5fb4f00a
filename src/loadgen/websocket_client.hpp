#pragma once
// Minimal asynchronous WebSocket client (Boost.Beast) for medrtc's signaling socket, one
// per synthetic participant, on the control thread's io_context. Text frames only; sends
// are queued so callers may send at any time after open.
#include <functional>
#include <memory>
#include <string>

#include "loadgen/http_client.hpp"

namespace medrtc::loadgen {

class WebSocketClient {
 public:
  struct Handlers {
    std::function<void()> onOpen;
    std::function<void(std::string text)> onMessage;
    // Once, when the socket fails or closes (after close() too); `reason` says why.
    std::function<void(std::string reason)> onClosed;
  };

  // `target` is the request path, e.g. "/api/v1/ws".
  WebSocketClient(boost::asio::io_context& ioc, Url url, std::string target, Handlers handlers);
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  void connect();
  void send(std::string text);
  // Sends a close frame after the queued messages. No handler is called afterwards.
  void close();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace medrtc::loadgen
