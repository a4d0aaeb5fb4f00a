#include "loadgen/janus_signaling.hpp"
#include "log/log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

namespace medrtc::loadgen {

namespace {

// Janus drops a session after 60 s without a request (janus.jcfg session_timeout);
// a long poll returns after 30 s without events.
constexpr std::chrono::seconds kKeepaliveInterval{25};
constexpr std::chrono::seconds kRequestTimeout{10};
constexpr std::chrono::seconds kLongPollTimeout{45};

std::string path(const Url& url, uint64_t session, uint64_t handle) {
  std::string p = url.path.empty() ? "/janus" : url.path;
  if (session != 0) {
    p += "/" + std::to_string(session);
  }
  if (handle != 0) {
    p += "/" + std::to_string(handle);
  }
  return p;
}

// Returns the problem with a reply, or "" if it is a success/ack.
std::string replyProblem(const Result<HttpReply, std::string>& reply, std::optional<JanusMessage>& parsed) {
  if (!reply) {
    return "janus http: " + reply.error();
  }
  if (reply->status != 200) {
    return "janus http status " + std::to_string(reply->status);
  }
  parsed = parseJanusMessage(reply->body);
  if (!parsed) {
    return "janus: unparsable reply";
  }
  if (parsed->janus == "error") {
    return "janus error " + std::to_string(parsed->errorCode) + ": " + parsed->error;
  }
  if (parsed->errorCode != 0) {
    return "videoroom error " + std::to_string(parsed->errorCode) + ": " + parsed->error;
  }
  return {};
}

}  // namespace

struct JanusSignaling::Timer {
  explicit Timer(boost::asio::io_context& ioc) : timer(ioc) {}
  boost::asio::steady_timer timer;
};

JanusSignaling::JanusSignaling(boost::asio::io_context& ioc, Url url, uint64_t room, std::string display,
                               MediaLink media)
    : ioc_(ioc), url_(std::move(url)), room_(room), display_(std::move(display)), media_(std::move(media)),
      keepaliveTimer_(std::make_unique<Timer>(ioc)) {}

JanusSignaling::~JanusSignaling() = default;

std::string JanusSignaling::nextTransaction() { return display_ + "-" + std::to_string(++transactions_); }

void JanusSignaling::request(uint64_t handle, std::string body, ReplyHandler onReply) {
  asyncHttpRequest(ioc_, url_, "POST", path(url_, session_, handle), std::move(body), {}, kRequestTimeout,
                   [this, onReply = std::move(onReply)](Result<HttpReply, std::string> reply) {
                     if (leaving_) {
                       return;
                     }
                     std::optional<JanusMessage> parsed;
                     if (std::string problem = replyProblem(reply, parsed); !problem.empty()) {
                       failWith(problem);
                       return;
                     }
                     onReply(*parsed);
                   });
}

void JanusSignaling::start() {
  markJoinOrigin();
  request(0, janusCreateSession(nextTransaction()), [this](const JanusMessage& created) {
    session_ = created.dataId;
    longPoll();
    scheduleKeepalive();
    request(0, janusAttach(nextTransaction(), kVideoRoomPlugin), [this](const JanusMessage& pub) {
      publisherHandle_ = pub.dataId;
      request(0, janusAttach(nextTransaction(), kVideoRoomPlugin), [this](const JanusMessage& sub) {
        subscriberHandle_ = sub.dataId;
        publish();
      });
    });
  });
}

void JanusSignaling::publish() {
  media_.call([](ParticipantMedia& m) { return m.createPublishOffer(); },
              [this](std::string offer) {
                if (leaving_) {
                  return;
                }
                // The reply is an "ack"; the answer comes as the "joined" event.
                request(publisherHandle_, videoRoomPublish(nextTransaction(), room_, display_, offer),
                        [](const JanusMessage&) {});
              });
}

void JanusSignaling::subscribe(uint64_t feed) {
  if (subscribedFeed_ != 0 || feed == ownFeed_ || feed == 0) {
    return;
  }
  subscribedFeed_ = feed;
  request(subscriberHandle_, videoRoomSubscribe(nextTransaction(), room_, feed), [](const JanusMessage&) {});
}

void JanusSignaling::longPoll() {
  asyncHttpRequest(ioc_, url_, "GET", path(url_, session_, 0) + "?maxev=10", "", {}, kLongPollTimeout,
                   [this](Result<HttpReply, std::string> reply) {
                     if (leaving_) {
                       return;
                     }
                     if (!reply || reply->status != 200) {
                       failWith("janus long poll: " + (reply ? std::to_string(reply->status) : reply.error()));
                       return;
                     }
                     for (const JanusMessage& event : parseJanusEvents(reply->body)) {
                       onEvent(event);
                     }
                     if (!leaving_) {
                       longPoll();
                     }
                   });
}

void JanusSignaling::scheduleKeepalive() {
  keepaliveTimer_->timer.expires_after(kKeepaliveInterval);
  keepaliveTimer_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || leaving_) {
      return;
    }
    request(0, janusKeepalive(nextTransaction()), [](const JanusMessage&) {});
    scheduleKeepalive();
  });
}

void JanusSignaling::onEvent(const JanusMessage& event) {
  log::debug("loadgen_janus_event", {{"participant", display_}, {"janus", event.janus}, {"videoroom", event.videoRoom},
                                     {"jsep", event.jsepType}});
  if (event.janus == "hangup") {
    failWith("janus hangup: " + event.reason);
    return;
  }
  if (event.janus != "event") {
    return;  // webrtcup, media, slowlink, keepalive, trickle: nothing to do
  }
  if (event.errorCode != 0) {
    failWith("videoroom error " + std::to_string(event.errorCode) + ": " + event.error);
    return;
  }
  if (event.sender == publisherHandle_) {
    if (event.videoRoom == "joined") {
      ownFeed_ = event.feedId;
    }
    if (event.jsepType == "answer") {
      media_.call([sdp = event.jsepSdp](ParticipantMedia& m) { return m.applyPublishAnswer(sdp); },
                  [this](Result<Ok, std::string> applied) {
                    if (!applied) {
                      failWith(applied.error());
                    }
                  });
    }
    for (uint64_t feed : event.publishers) {
      subscribe(feed);
    }
    return;
  }
  if (event.sender == subscriberHandle_ && event.jsepType == "offer") {
    media_.call([sdp = event.jsepSdp](ParticipantMedia& m) { return m.answerSubscribeOffer(sdp); },
                [this](Result<std::string, std::string> answer) {
                  if (!answer) {
                    failWith(answer.error());
                  } else if (!leaving_) {
                    request(subscriberHandle_, videoRoomStart(nextTransaction(), *answer), [](const JanusMessage&) {});
                  }
                });
  }
}

void JanusSignaling::leave() {
  if (leaving_) {
    return;
  }
  leaving_ = true;
  keepaliveTimer_->timer.cancel();
  if (session_ != 0) {
    asyncHttpRequest(ioc_, url_, "POST", path(url_, session_, 0), janusDestroySession(nextTransaction()), {},
                     kRequestTimeout, [](Result<HttpReply, std::string>) {});
  }
}

namespace {

// Runs a list of VideoRoom requests through one temporary session.
struct RoomRequests : std::enable_shared_from_this<RoomRequests> {
  boost::asio::io_context& ioc;
  Url url;
  std::vector<std::string> bodies;
  std::function<void(Result<Ok, std::string>)> done;
  uint64_t session = 0;
  uint64_t handle = 0;
  size_t next = 0;

  RoomRequests(boost::asio::io_context& c, Url u, std::vector<std::string> b,
               std::function<void(Result<Ok, std::string>)> d)
      : ioc(c), url(std::move(u)), bodies(std::move(b)), done(std::move(d)) {}

  void post(uint64_t s, uint64_t h, std::string body, std::function<void(const JanusMessage&)> then) {
    asyncHttpRequest(ioc, url, "POST", path(url, s, h), std::move(body), {}, kRequestTimeout,
                     [self = shared_from_this(), then = std::move(then)](Result<HttpReply, std::string> reply) {
                       std::optional<JanusMessage> parsed;
                       if (std::string problem = replyProblem(reply, parsed); !problem.empty()) {
                         self->done(fail(problem));
                         return;
                       }
                       then(*parsed);
                     });
  }

  void start() {
    auto self = shared_from_this();
    post(0, 0, janusCreateSession("setup-create"), [self](const JanusMessage& created) {
      self->session = created.dataId;
      self->post(self->session, 0, janusAttach("setup-attach", kVideoRoomPlugin), [self](const JanusMessage& attached) {
        self->handle = attached.dataId;
        self->sendNext();
      });
    });
  }

  void sendNext() {
    auto self = shared_from_this();
    if (next == bodies.size()) {
      post(session, 0, janusDestroySession("setup-destroy"), [self](const JanusMessage&) { self->done(Ok{}); });
      return;
    }
    post(session, handle, std::move(bodies[next++]), [self](const JanusMessage&) { self->sendNext(); });
  }
};

}  // namespace

void runJanusRoomRequests(boost::asio::io_context& ioc, const Url& url, std::vector<std::string> bodies,
                          std::function<void(Result<Ok, std::string>)> done) {
  std::make_shared<RoomRequests>(ioc, url, std::move(bodies), std::move(done))->start();
}

}  // namespace medrtc::loadgen
