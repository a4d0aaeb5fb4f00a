#pragma once
// Internal to the Beast translation units (server.cpp, websocket_session.cpp): one
// signaling WebSocket. It moves frames and runs the join and idle timers; the protocol
// lives in SignalingHub.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

struct WebSocketTimeouts {
  std::chrono::milliseconds join;
  std::chrono::milliseconds idle;
};

// NextLayer: beast::tcp_stream (ws://) or beast::ssl_stream<beast::tcp_stream> (wss://,
// the TLS session of the HTTP request that asked for the upgrade).
template <class NextLayer>
class BasicWebSocketSession final : public PeerSocket,
                                    public std::enable_shared_from_this<BasicWebSocketSession<NextLayer>> {
 public:
  BasicWebSocketSession(NextLayer stream, SignalingHub& hub, WebSocketTimeouts timeouts);
  ~BasicWebSocketSession() override;

  // Completes the upgrade of `request` and starts reading.
  void run(boost::beast::http::request<boost::beast::http::string_body> request);

  void sendText(std::string text) override;
  void close(uint16_t code, std::string_view reason) override;
  void cutAfterClose() override;
  // Keeps `resource` (the connection's slot in the server's ConnectionTable) as long as
  // this session, and so its descriptor, lives. `limitKey`: the client's address as the
  // limits count it, handed to the hub with the connection.
  void hold(std::shared_ptr<void> resource, std::string limitKey = "") {
    held_ = std::move(resource);
    limitKey_ = std::move(limitKey);
  }

 private:
  void onAccept(boost::beast::error_code ec);
  void readNext();
  void onRead(boost::beast::error_code ec, size_t bytes);
  void writeNext();
  void onWrite(boost::beast::error_code ec);
  void startClose();
  void cutSoon();
  void armIdleTimer(std::chrono::steady_clock::duration after);
  void finish(std::string_view why);

  using std::enable_shared_from_this<BasicWebSocketSession<NextLayer>>::shared_from_this;

  boost::beast::websocket::stream<NextLayer> ws_;
  boost::beast::flat_buffer buffer_;
  SignalingHub& hub_;
  WebSocketTimeouts timeouts_;
  boost::asio::steady_timer joinTimer_;
  boost::asio::steady_timer idleTimer_;
  std::chrono::steady_clock::time_point lastActivity_;
  SignalingHub::ConnectionId id_ = 0;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool closeRequested_ = false;
  bool closing_ = false;
  bool cutAfterClose_ = false;  // cutAfterClose(): no waiting for the peer's close frame
  bool discarding_ = false;  // an oversize message is being skipped
  bool finished_ = false;
  uint16_t closeCode_ = 1000;
  std::string closeReason_;
  std::shared_ptr<void> held_;
  std::string limitKey_;
};

using WebSocketSession = BasicWebSocketSession<boost::beast::tcp_stream>;
using TlsWebSocketSession = BasicWebSocketSession<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

}  // namespace medrtc::signaling
