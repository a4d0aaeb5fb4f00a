#include "call_harness.hpp"

#include <algorithm>

#include "client/local_description.hpp"
#include "rtp/demux.hpp"
#include "sdp/parse.hpp"
#include "sdp/subscriber_offer.hpp"

namespace medrtc::sfu::test {

namespace {
constexpr Micros kAudioInterval = 20ms;
constexpr Micros kVideoInterval = 33'333us;
}  // namespace

// --- Endpoint ---

size_t Endpoint::count(client::MediaKind kind) const {
  return static_cast<size_t>(
      std::count_if(received.begin(), received.end(), [kind](const ReceivedRtp& r) { return r.kind == kind; }));
}

const ReceivedRtp* Endpoint::first(client::MediaKind kind) const {
  for (const auto& r : received) {
    if (r.kind == kind) {
      return &r;
    }
  }
  return nullptr;
}

std::set<uint32_t> Endpoint::receivedSsrcs(client::MediaKind kind) const {
  std::set<uint32_t> out;
  for (const auto& r : received) {
    if (r.kind == kind) {
      out.insert(r.ssrc);
    }
  }
  return out;
}

void Endpoint::onRtp(client::PeerConnection& pc, const rtp::RtpPacketView& packet,
                     const client::PeerConnection::ReceivedRtp& info) {
  if (&pc != sub.get()) {
    return;
  }
  ReceivedRtp r;
  r.at = info.receivedAt;
  r.ssrc = packet.ssrc();
  r.sequenceNumber = packet.sequenceNumber();
  r.payloadType = packet.payloadType();
  r.kind = info.kind;
  r.sendTime = info.sendTime;
  r.keyframe = info.keyframe;
  r.payload.assign(packet.payload().begin(), packet.payload().end());
  r.transportSequence =
      packet.transportSequenceNumber(static_cast<uint8_t>(sdp::kDefaultSubscriberExtensions.transportCcId));
  r.absSendTime = packet.absSendTime(static_cast<uint8_t>(sdp::kDefaultSubscriberExtensions.absSendTimeId));
  received.push_back(std::move(r));
}

void Endpoint::onRtcp(client::PeerConnection& pc, ByteView compound, Micros receivedAt) {
  auto& list = &pc == pub.get() ? publisherRtcp : subscriberRtcp;
  list.push_back(ReceivedRtcp{receivedAt, std::vector<uint8_t>(compound.begin(), compound.end())});
}

void Endpoint::onFailed(client::PeerConnection& pc, const std::string& reason) {
  errors.push_back((&pc == pub.get() ? "pub: " : "sub: ") + reason);
}

// --- LossyRelay ---

LossyRelay::LossyRelay(net::EventLoop& loop, SocketAddress server) : loop_(loop), server_(server) {
  socket_ = net::UdpSocket::bind(*SocketAddress::fromIp("127.0.0.1", 0)).value();
  loop_.addFd(socket_->fd(), EPOLLIN, [this](uint32_t) { onReadable(); });
}

LossyRelay::~LossyRelay() { loop_.removeFd(socket_->fd()); }

void LossyRelay::onReadable() {
  socket_->receiveAll([this](MutableByteView data, const SocketAddress& from) {
    if (!(from == server_)) {
      client_ = from;
      if (dropToServer && dropToServer(data)) {
        ++dropped;
        return;
      }
      socket_->send(data, server_);
      return;
    }
    if (!client_) {
      return;
    }
    if (dropToClient && dropToClient(data)) {
      ++dropped;
      return;
    }
    if (data.size() >= 12 && data[0] >= 128 && data[0] <= 191 && !rtp::isRtcp(data)) {
      ++forwardedRtp[uint64_t{readU32(&data[8])} << 16 | readU16(&data[2])];
    }
    socket_->send(data, *client_);
  });
  socket_->flush();
}

// --- MediaPump ---

MediaPump::MediaPump(net::EventLoop& loop, Endpoint& endpoint, Micros keyframeInterval, size_t frameBytes)
    : loop_(loop), endpoint_(endpoint), keyframeInterval_(keyframeInterval), frameBytes_(frameBytes) {}

void MediaPump::start() {
  start_ = loop_.now();
  audioFrames_ = 0;
  videoFrames_ = 0;
  tick();
}

void MediaPump::stop() {
  if (timer_) {
    loop_.cancelTimer(*timer_);
    timer_.reset();
  }
}

void MediaPump::tick() {
  timer_.reset();
  Micros now = loop_.now();
  client::PeerConnection& pc = *endpoint_.pub;
  // Drift-free: frame k is due at start + k × interval.
  while (start_ + kAudioInterval * static_cast<int64_t>(audioFrames_) <= now) {
    if (pc.sendAudioFrame(now) > 0) {
      endpoint_.sentTimes.insert(now.count());
    }
    ++audioFrames_;
  }
  while (start_ + kVideoInterval * static_cast<int64_t>(videoFrames_) <= now) {
    bool keyframe = videoFrames_ == 0 || (keyframeInterval_.count() > 0 && now - lastKeyframe_ >= keyframeInterval_);
    if (keyframe) {
      lastKeyframe_ = now;
    }
    if (pc.sendVideoFrame(now, keyframe, frameBytes_) > 0) {
      endpoint_.sentTimes.insert(now.count());
    }
    ++videoFrames_;
  }
  timer_ = loop_.runAfter(5ms, [this] { tick(); });
}

// --- CallHarness ---

CallHarness::CallHarness(int workers, TransportTimeouts timeouts,
                         std::function<void(const std::string&)> addParticipantFault)
    : identity_(client::ClientIdentity::generate()) {
  MediaConfig config;
  config.listenIp = "127.0.0.1";
  config.workers = workers;
  config.bandwidthEstimation = true;  // the transport-cc and allocation tests need it
  config.transportTimeouts = timeouts;
  config.addParticipantFault = std::move(addParticipantFault);
  plane_ = createMediaPlane(config, [this](std::function<void()> task) { loop_.post(std::move(task)); }, *this);
}

CallHarness::~CallHarness() {
  // Clients first (they belong to this thread's loop), then the workers; completions the
  // workers post afterwards stay queued on the loop and are dropped with it.
  endpoints_.clear();
  plane_.reset();
}

Endpoint& CallHarness::at(const std::string& roomId, const std::string& id) { return *endpoints_.at(key(roomId, id)); }

Endpoint& CallHarness::join(const std::string& roomId, const std::string& id, JoinOptions options) {
  auto endpoint = std::make_unique<Endpoint>();
  Endpoint& e = *endpoint;
  e.roomId = roomId;
  e.id = id;
  endpoints_[key(roomId, id)] = std::move(endpoint);

  options.pc.identity = identity_;
  e.useRelay = options.relaySubscriber;
  if (options.subscribe) {
    e.sub = client::PeerConnection::create(loop_, options.pc, &e).value();
  }
  plane_->openRoom(roomId);
  plane_->addParticipant(roomId, id, ParticipantGrants{options.publish, options.subscribe}, options.decoders,
                         [&e](Result<Ok, MediaError> r) {
                           if (r.ok()) {
                             e.added = true;
                           } else {
                             e.errors.push_back(std::string("addParticipant: ") + toString(r.error()));
                           }
                         });
  if (options.publish) {
    e.pub = client::PeerConnection::create(loop_, options.pc, &e).value();
    std::string offer = e.pub->createPublishOffer();
    if (options.editOffer) {
      offer = options.editOffer(std::move(offer));
    }
    plane_->publish(roomId, id, offer, [this, &e, relayPublisher = options.relayPublisher](Result<std::string, MediaError> r) {
      if (!r.ok()) {
        e.errors.push_back(std::string("publish: ") + toString(r.error()));
        return;
      }
      e.publishAnswer = *r;
      std::string answer = *r;
      if (relayPublisher) {
        auto server = serverCandidate(answer);
        if (!server) {
          e.errors.push_back("no server candidate in answer");
          return;
        }
        e.pubRelay = std::make_unique<LossyRelay>(loop_, *server);
        answer = pointAt(std::move(answer), *server, *e.pubRelay);
      }
      auto applied = e.pub->applyAnswer(answer);
      if (!applied.ok()) {
        e.errors.push_back("applyAnswer failed");
        return;
      }
      e.published = true;
    });
  }
  return e;
}

void CallHarness::leave(const std::string& roomId, const std::string& id) {
  plane_->removeParticipant(roomId, id);
  endpoints_.erase(key(roomId, id));
}

void CallHarness::onSubscribeOffer(const std::string& roomId, const std::string& participantId, uint32_t version,
                                   std::string sdp) {
  auto it = endpoints_.find(key(roomId, participantId));
  if (it == endpoints_.end()) {
    return;  // left already
  }
  Endpoint& e = *it->second;
  e.offers.push_back(sdp);
  e.offerVersions.push_back(version);
  if (!e.autoAnswer || !e.sub) {
    return;
  }
  if (e.useRelay) {
    // Point the client at the relay instead of the worker's candidate.
    auto server = serverCandidate(sdp);
    if (!server) {
      e.errors.push_back("no server candidate in offer");
      return;
    }
    if (!e.relay) {
      e.relay = std::make_unique<LossyRelay>(loop_, *server);
    }
    sdp = pointAt(std::move(sdp), *server, *e.relay);
  }
  auto answer = e.sub->answerOffer(sdp);
  if (!answer.ok()) {
    e.errors.push_back("answerOffer failed");
    return;
  }
  plane_->answerSubscription(roomId, participantId, version, *answer, [&e, version](Result<Ok, MediaError> r) {
    if (r.ok()) {
      e.answeredVersion = version;
    } else {
      e.errors.push_back(std::string("answerSubscription: ") + toString(r.error()));
    }
  });
}

void CallHarness::onMediaFailed(const std::string& roomId, const std::string& participantId, std::string reason) {
  failures_.push_back(Failure{roomId, participantId, std::move(reason), loop_.now()});
}

bool CallHarness::runUntil(const std::function<bool()>& until, Micros timeout) {
  auto result = client::runScript(loop_, {client::ScriptStep{"condition", until, nullptr}}, timeout);
  return result.completed;
}

void CallHarness::runFor(Micros duration) {
  Micros end = loop_.now() + duration;
  client::runScript(loop_, {client::ScriptStep{"time", [this, end] { return loop_.now() >= end; }, nullptr}},
                    duration + 1s);
}

std::string pointAt(std::string sdp, const SocketAddress& server, const LossyRelay& relay) {
  std::string from = " " + server.ip() + " " + std::to_string(server.port()) + " typ host";
  std::string to = " " + server.ip() + " " + std::to_string(relay.address().port()) + " typ host";
  for (size_t at = sdp.find(from); at != std::string::npos; at = sdp.find(from, at + to.size())) {
    sdp.replace(at, from.size(), to);
  }
  return sdp;
}

std::optional<SocketAddress> serverCandidate(const std::string& sdpText) {
  auto parsed = sdp::parse(sdpText);
  if (!parsed.ok()) {
    return std::nullopt;
  }
  auto remote = client::readRemoteTransport(*parsed, /*remoteIsOffer=*/true);
  if (!remote.ok()) {
    return std::nullopt;
  }
  return remote->candidate;
}

}  // namespace medrtc::sfu::test
