#pragma once
// One participant's signaling against Janus's VideoRoom plugin over the HTTP API
// (janus_messages.hpp has the message shapes): its own Janus session with a publisher
// and a subscriber handle, a long poll for events, keepalive every 25 s.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "loadgen/http_client.hpp"
#include "loadgen/janus_messages.hpp"
#include "loadgen/participant_signaling.hpp"

namespace boost::asio {
class io_context;
}

namespace medrtc::loadgen {

class JanusSignaling final : public ParticipantSignaling {
 public:
  JanusSignaling(boost::asio::io_context& ioc, Url url, uint64_t room, std::string display, MediaLink media);
  ~JanusSignaling() override;

  void start() override;
  void leave() override;

 private:
  using ReplyHandler = std::function<void(const JanusMessage&)>;
  // POSTs `body` to the session (handle 0 = the session itself, or none before create).
  void request(uint64_t handle, std::string body, ReplyHandler onReply);
  void longPoll();
  void scheduleKeepalive();
  void onEvent(const JanusMessage& event);
  void publish();
  void subscribe(uint64_t feed);
  std::string nextTransaction();

  boost::asio::io_context& ioc_;
  Url url_;
  uint64_t room_;
  std::string display_;
  MediaLink media_;
  uint64_t session_ = 0;
  uint64_t publisherHandle_ = 0;
  uint64_t subscriberHandle_ = 0;
  uint64_t ownFeed_ = 0;
  uint64_t subscribedFeed_ = 0;
  uint64_t transactions_ = 0;
  struct Timer;
  std::unique_ptr<Timer> keepaliveTimer_;
};

// Sends each VideoRoom `bodies` message (e.g. videoRoomCreate) through a short-lived
// session of its own, in order; `done` gets the first error. Control thread.
void runJanusRoomRequests(boost::asio::io_context& ioc, const Url& url, std::vector<std::string> bodies,
                          std::function<void(Result<Ok, std::string>)> done);

}  // namespace medrtc::loadgen
