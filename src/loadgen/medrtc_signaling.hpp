#pragma once
// One participant's signaling against medrtc (docs/protocol.md): WebSocket /api/v1/ws,
// join with a token, publish_offer → publish_answer, subscribe_offer → subscribe_answer,
// ping every 10 s.
#include <memory>
#include <string>

#include "loadgen/http_client.hpp"
#include "loadgen/participant_signaling.hpp"
#include "loadgen/websocket_client.hpp"

namespace boost::asio {
class io_context;
}

namespace medrtc::loadgen {

class MedrtcSignaling final : public ParticipantSignaling {
 public:
  MedrtcSignaling(boost::asio::io_context& ioc, Url url, std::string token, MediaLink media);
  ~MedrtcSignaling() override;

  void start() override;
  void leave() override;

 private:
  void onMessage(const std::string& text);
  void schedulePing();

  boost::asio::io_context& ioc_;
  Url url_;
  std::string token_;
  MediaLink media_;
  std::unique_ptr<WebSocketClient> ws_;
  struct Timer;
  std::unique_ptr<Timer> pingTimer_;
};

}  // namespace medrtc::loadgen
