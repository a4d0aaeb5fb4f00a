#include "loadgen/medrtc_signaling.hpp"
#include "log/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "loadgen/medrtc_messages.hpp"

namespace medrtc::loadgen {

namespace {
// docs/protocol.md: the server drops a socket silent for 30 s; clients ping every 10 s.
constexpr std::chrono::seconds kPingInterval{10};
}  // namespace

struct MedrtcSignaling::Timer {
  explicit Timer(boost::asio::io_context& ioc) : timer(ioc) {}
  boost::asio::steady_timer timer;
};

MedrtcSignaling::MedrtcSignaling(boost::asio::io_context& ioc, Url url, std::string token, MediaLink media)
    : ioc_(ioc), url_(std::move(url)), token_(std::move(token)), media_(std::move(media)),
      pingTimer_(std::make_unique<Timer>(ioc)) {}

MedrtcSignaling::~MedrtcSignaling() = default;

void MedrtcSignaling::start() {
  WebSocketClient::Handlers handlers;
  handlers.onOpen = [this] {
    markJoinOrigin();
    ws_->send(joinMessage(token_));
    schedulePing();
  };
  handlers.onMessage = [this](std::string text) { onMessage(text); };
  handlers.onClosed = [this](std::string reason) {
    if (!leaving_) {
      failWith("signaling: websocket " + reason);
    }
  };
  ws_ = std::make_unique<WebSocketClient>(ioc_, url_, url_.path + "/api/v1/ws", std::move(handlers));
  ws_->connect();
}

void MedrtcSignaling::leave() {
  leaving_ = true;
  pingTimer_->timer.cancel();
  if (ws_) {
    ws_->send(leaveMessage());
    ws_->close();
  }
}

void MedrtcSignaling::schedulePing() {
  pingTimer_->timer.expires_after(kPingInterval);
  pingTimer_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || leaving_) {
      return;
    }
    ws_->send(pingMessage());
    schedulePing();
  });
}

void MedrtcSignaling::onMessage(const std::string& text) {
  auto message = parseServerMessage(text);
  if (!message) {
    failWith("signaling: unparsable server message");
    return;
  }
  log::debug("loadgen_medrtc_message", {{"type", message->type}});
  if (message->type == "joined") {
    media_.call([](ParticipantMedia& m) { return m.createPublishOffer(); },
                [this](std::string offer) {
                  if (!leaving_) {
                    ws_->send(publishOfferMessage(offer));
                  }
                });
  } else if (message->type == "publish_answer") {
    media_.call([sdp = message->sdp](ParticipantMedia& m) { return m.applyPublishAnswer(sdp); },
                [this](Result<Ok, std::string> applied) {
                  if (!applied) {
                    failWith(applied.error());
                  }
                });
  } else if (message->type == "subscribe_offer") {
    media_.call([sdp = message->sdp](ParticipantMedia& m) { return m.answerSubscribeOffer(sdp); },
                [this, version = message->version](Result<std::string, std::string> answer) {
                  if (!answer) {
                    failWith(answer.error());
                  } else if (!leaving_) {
                    ws_->send(subscribeAnswerMessage(*answer, version));
                  }
                });
  } else if (message->type == "error") {
    failWith("signaling: " + message->errorCode + ": " + message->errorMessage);
  } else if (message->type == "room_ended") {
    failWith("signaling: room ended");
  }
}

}  // namespace medrtc::loadgen
