#include "sfu/worker.hpp"
#include "log/log.hpp"


#include <pthread.h>

#include <cstring>
#include <ctime>
#include <stdexcept>

#include "ice/ice_lite_responder.hpp"
#include "ice/stun_message.hpp"
#include "net/announced_addresses.hpp"
#include "sfu/connectivity_probe.hpp"
#include "sfu/room.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

namespace {
void trimHeapOnControlThread() {
  const auto start = std::chrono::steady_clock::now();
  const Micros now = std::chrono::duration_cast<Micros>(start.time_since_epoch());
  if (HeapTrimmer::runProcessTrim(now)) {
    log::debug("heap_trimmed",
               {{"micros", std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now() - start).count()}});
  }
}

constexpr Micros kTickInterval{20'000};
// See worker_tick_slots.hpp: 2 ms slots, each participant ticks every 20 ms.
constexpr unsigned kTickSlots = 10;
}  // namespace

Worker::Worker(int index, const MediaConfig& config, ControlPoster toControl, MediaEvents& events,
               SubscribeOfferSink subscribeOffers)
    : index_(index),
      bandwidthEstimation_(config.bandwidthEstimation),
      toControl_(std::move(toControl)),
      events_(events),
      subscribeOffers_(std::move(subscribeOffers)),
      timeouts_(config.transportTimeouts),
      tickSlots_(kTickInterval, kTickSlots),
      // The trim runs on the control thread: it takes 0.5-1.5 ms at a few dozen
      // participants, time this worker's packets would wait. The worker only allocates
      // when participants come and go, so the arena lock the trim holds rarely meets it.
      heapTrimmer_(HeapTrimTiming{}, [this] { toControl_(trimHeapOnControlThread); }),
      probeLifetime_(config.probeLifetime),
      maxProbes_(config.maxProbesPerWorker) {
  bindSockets(config);
  kernelArrivalTimes_ = socket_->enableReceiveTimestamps();
  announcedIps_ = net::chooseAnnouncedIps({config.listenIp, config.announcedIps, config.publicIp},
                                          net::listInterfaceAddresses());
  dtlsContext_ = dtls::DtlsContext::create(dtls::Certificate::generate(), dtls::DtlsRole::kServer);
  loop_.addFd(socket_->fd(), EPOLLIN, [this](uint32_t) { onReadable(); });
  // Everything queued while handling a batch of events leaves in one sendmmsg.
  loop_.setAfterEventsHook([this] {
    socket_->flush();
    if (tcp_) {
      tcp_->flush();
    }
    if (!departing_.empty()) {
      Micros at = loop_.now();
      for (WebRtcTransport* t : departing_) {
        t->onDeparted(at);
      }
      departing_.clear();
    }
  });
}

void Worker::bindSockets(const MediaConfig& config) {
  uint16_t port = config.portBase == 0 ? 0 : static_cast<uint16_t>(config.portBase + index_);
  auto bindAddress = SocketAddress::fromIp(config.listenIp, port);
  if (!bindAddress) {
    throw std::runtime_error("media: --media-listen is not an IP address: " + config.listenIp);
  }
  // With ephemeral ports the kernel picks the UDP port, which may be taken for TCP: then
  // try another pair. A configured port that is taken is a start-up error.
  constexpr int kAttempts = 20;
  for (int attempt = 1;; ++attempt) {
    auto socket = net::UdpSocket::bind(*bindAddress);
    if (!socket.ok()) {
      throw std::runtime_error("media: cannot bind UDP " + bindAddress->toString() + ": " +
                               std::strerror(socket.error()));
    }
    socket_ = std::move(socket).value();
    if (config.udpGso) {
      socket_->enableSegmentation();  // refused by an old kernel: one datagram per packet
    }
    if (!config.iceTcp) {
      return;
    }
    auto tcp = IceTcpServer::listen(loop_, socket_->localAddress(), *this, IceTcpServer::Limits{});
    if (tcp.ok()) {
      tcp_ = std::move(tcp).value();
      return;
    }
    if (port != 0 || tcp.error() != EADDRINUSE || attempt == kAttempts) {
      throw std::runtime_error("media: cannot listen on TCP " + socket_->localAddress().toString() + ": " +
                               std::strerror(tcp.error()));
    }
  }
}

Worker::~Worker() { stop(); }

void Worker::start() {
  loop_.runAfter(tickSlots_.start(loop_.now()), [this] { tick(); });
  thread_ = std::thread([this] {
    bindMediaCounters(&counters_);
    loop_.run();
    // Tear down on the worker thread: rooms own transports that belong to this loop.
    rooms_.clear();
    probes_.clear();
  });
  std::string announced;
  for (const auto& ip : announcedIps_) {
    announced += (announced.empty() ? "" : ",") + ip;
  }
  log::info("media_worker_listening", {{"worker", index_}, {"udp", socket_->localAddress().toString()},
                                       {"tcp", tcp_ != nullptr}, {"announced", announced}});
}

double Worker::cpuSeconds() const {
  // The thread's own CPU clock, read from outside it (clock_getcpuclockid(3)); 0 before
  // start or after stop.
  clockid_t clock{};
  timespec ts{};
  if (!thread_.joinable() || pthread_getcpuclockid(const_cast<std::thread&>(thread_).native_handle(), &clock) != 0 ||
      clock_gettime(clock, &ts) != 0) {
    return 0;
  }
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void Worker::stop() {
  if (thread_.joinable()) {
    loop_.stop();
    thread_.join();
  }
}

Room& Worker::openRoom(const std::string& roomId) {
  auto it = rooms_.find(roomId);
  if (it == rooms_.end()) {
    it = rooms_.emplace(roomId, std::make_unique<Room>(roomId, *this)).first;
    log::info("room_opened", {{"room", roomId}, {"worker", index_}});
  }
  return *it->second;
}

Room* Worker::findRoom(const std::string& roomId) {
  auto it = rooms_.find(roomId);
  return it == rooms_.end() ? nullptr : it->second.get();
}

void Worker::closeRoom(const std::string& roomId) {
  auto it = rooms_.find(roomId);
  if (it == rooms_.end()) {
    return;
  }
  auto room = std::move(it->second);
  rooms_.erase(it);
  room.reset();
  log::info("room_closed", {{"room", roomId}, {"worker", index_}});
}

Result<LocalTransportParameters, MediaError> Worker::openProbe(const std::string& probeId,
                                                               ProbeCandidates candidates) {
  if (probes_.size() >= maxProbes_ && !probes_.count(probeId)) {
    return fail(MediaError::kTooManyProbes);
  }
  auto probe = ConnectivityProbe::open(probeId, candidates, *this, probeLifetime_);
  if (!probe.ok()) {
    return fail(probe.error());
  }
  LocalTransportParameters local = (*probe)->localParameters();
  probes_[probeId] = std::move(probe).value();
  log::debug("probe_opened", {{"probe", probeId}, {"worker", index_},
                             {"candidates", candidates == ProbeCandidates::kTcp ? "tcp" : "udp"}});
  return local;
}

bool Worker::acceptProbeOffer(const std::string& probeId, const DtlsFingerprint& remoteFingerprint) {
  auto it = probes_.find(probeId);
  if (it == probes_.end()) {
    return false;
  }
  it->second->setRemoteFingerprint(remoteFingerprint);
  return true;
}

void Worker::closeProbe(const std::string& probeId) { probes_.erase(probeId); }

void Worker::registerTransport(const std::string& localUfrag, WebRtcTransport& transport) {
  transportsByUfrag_[localUfrag] = &transport;
}

void Worker::unregisterTransport(const std::string& localUfrag, WebRtcTransport& transport) {
  heapTrimmer_.noteFreed(loop_.now());  // the transport is on its way out
  transportsByUfrag_.erase(localUfrag);
  std::erase(departing_, &transport);
  std::erase_if(transportsByTuple_, [&](const auto& entry) { return entry.second == &transport; });
  auto tuples = tcpTuples_.find(&transport);
  if (tuples != tcpTuples_.end()) {
    auto closing = std::move(tuples->second);
    tcpTuples_.erase(tuples);
    for (const TcpTuple& tuple : closing) {
      transportsByConnection_.erase(tuple.connection);
      if (tcp_) {
        tcp_->close(tuple.connection);
      }
    }
  }
}

void Worker::unregisterUfrag(const std::string& localUfrag, WebRtcTransport& transport) {
  auto it = transportsByUfrag_.find(localUfrag);
  if (it != transportsByUfrag_.end() && it->second == &transport) {
    transportsByUfrag_.erase(it);
  }
}

void Worker::bindTuple(const SocketAddress& remote, WebRtcTransport& transport) {
  if (receivingTcp_ && receivingTcp_->remote == remote) {
    // A check that arrived over ICE-TCP validates that connection, not a UDP tuple.
    auto [it, inserted] = transportsByConnection_.emplace(receivingTcp_->connection, &transport);
    if (inserted) {
      auto& tuples = tcpTuples_[&transport];
      tuples.push_back(*receivingTcp_);
      tcp_->markAuthenticated(receivingTcp_->connection);
      // As many TCP tuples as the ICE agent keeps pairs: a peer that reconnects again and
      // again does not grow this list, and its oldest connection goes.
      if (tuples.size() > ice::IceLiteResponder::kMaxTuples) {
        transportsByConnection_.erase(tuples.front().connection);
        tcp_->close(tuples.front().connection);
        tuples.erase(tuples.begin());
      }
    }
    return;
  }
  transportsByTuple_[remote] = &transport;
}

std::optional<IceTcpServer::ConnectionId> Worker::tcpRouteOf(WebRtcTransport& from, const SocketAddress& to) const {
  if (receivingTcp_) {
    // Answering a frame: the reply goes back on its connection (a STUN error response to
    // a connection no check validated yet included).
    if (receivingTcp_->remote == to) {
      return receivingTcp_->connection;
    }
  }
  if (tcpTuples_.empty()) {
    return std::nullopt;  // the common case: no ICE-TCP on this worker at all
  }
  auto tuples = tcpTuples_.find(&from);
  if (tuples == tcpTuples_.end()) {
    return std::nullopt;
  }
  // The latest connection from that address wins: a browser that reconnected uses it.
  for (auto it = tuples->second.rbegin(); it != tuples->second.rend(); ++it) {
    if (it->remote == to) {
      return it->connection;
    }
  }
  return std::nullopt;
}

MutableByteView Worker::reservePacket(WebRtcTransport& from, const SocketAddress& to) {
  reservedTcp_ = tcpRouteOf(from, to);
  if (reservedTcp_) {
    return MutableByteView(tcpSendSlot_);
  }
  return socket_->reserveSend(to);
}

void Worker::commitPacket(size_t length, net::SendPriority priority) {
  if (reservedTcp_) {
    // One TCP stream delivers in order whatever we do; audio first applies to UDP batches.
    tcp_->send(*reservedTcp_, ByteView(tcpSendSlot_.data(), length));
    reservedTcp_.reset();
    return;
  }
  socket_->commitSend(length, priority);
}

void Worker::sendPacket(WebRtcTransport& from, ByteView data, const SocketAddress& to) {
  if (auto connection = tcpRouteOf(from, to)) {
    tcp_->send(*connection, data);  // false: the connection closed or is backed up; a lost packet
    return;
  }
  socket_->send(data, to);
}

void Worker::onIceTcpFrame(IceTcpServer::ConnectionId id, const SocketAddress& remote, MutableByteView frame) {
  WebRtcTransport* transport = nullptr;
  auto known = transportsByConnection_.find(id);
  if (known != transportsByConnection_.end()) {
    transport = known->second;
  } else {
    transport = transportForCheck(frame);  // the server passes only STUN before a check succeeded
  }
  if (transport == nullptr) {
    return;
  }
  receivingTcp_ = TcpTuple{remote, id};
  // The same last resort as for a datagram (onReadable): one frame is lost, not the process.
  try {
    transport->receiveDatagram(frame, remote);
  } catch (const std::exception& e) {
    noteContained("ice-tcp frame", e.what());
  }
  receivingTcp_.reset();
}

void Worker::onIceTcpClosed(IceTcpServer::ConnectionId id) { transportsByConnection_.erase(id); }

void Worker::post(net::EventLoop::Task task) {
  loop_.post([this, task = std::move(task)] {
    try {
      task();
    } catch (const std::exception& e) {
      noteContained("task", e.what());
    }
  });
}

void Worker::onReadable() {
  socket_->receiveAll([this](MutableByteView data, const SocketAddress& from) {
    receivedAt_.reset();
    if (auto stamp = kernelArrivalTimes_ ? socket_->receiveTimestamp() : std::nullopt) {
      // The kernel stamps on the real-time clock; the age moves it onto ours. A clock step
      // could make it negative: keep now() then.
      timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      Micros age = std::chrono::duration_cast<Micros>(std::chrono::seconds(ts.tv_sec) +
                                                      std::chrono::nanoseconds(ts.tv_nsec) - *stamp);
      if (age > Micros(0)) {
        receivedAt_ = loop_.now() - age;
      }
    }
    // Last resort: parsers never throw, but an exception escaping here would end the
    // process and every call on it. One datagram is lost instead.
    try {
      onDatagram(data, from);
    } catch (const std::exception& e) {
      noteContained("datagram", e.what());
    }
  });
  receivedAt_.reset();
}

void Worker::noteContained(const char* where, const char* what) {
  // Powers of two only: a datagram that throws every time must not flood the log.
  ++contained_;
  if ((contained_ & (contained_ - 1)) == 0) {
    log::error("media_worker_exception_contained", {{"worker", index_}, {"where", where}, {"count", contained_},
                                                    {"error", what}});
  }
}

void Worker::onDatagram(MutableByteView data, const SocketAddress& from) {
  auto known = transportsByTuple_.find(from);
  if (known != transportsByTuple_.end()) {
    known->second->receiveDatagram(data, from);
    return;
  }
  if (WebRtcTransport* transport = transportForCheck(data)) {
    transport->receiveDatagram(data, from);
  }
}

WebRtcTransport* Worker::transportForCheck(ByteView data) {
  // RFC 8445 §2.5: a lite agent learns a peer's address only from a connectivity check,
  // whose USERNAME starts with our ufrag. Anything else from an unknown address is dropped.
  if (!ice::looksLikeStun(data)) {
    return nullptr;
  }
  auto message = ice::StunMessage::parse(data);
  if (!message.ok()) {
    return nullptr;
  }
  auto username = message->username();
  if (!username) {
    return nullptr;
  }
  auto colon = username->find(':');
  std::string localUfrag(username->substr(0, colon));
  auto transport = transportsByUfrag_.find(localUfrag);
  return transport == transportsByUfrag_.end() ? nullptr : transport->second;
}

void Worker::tick() {
  Micros now = loop_.now();
  Micros delay{0};
  const unsigned slot = tickSlots_.fire(now, delay);
  for (auto& [id, room] : rooms_) {
    // One room's failure must neither stop the others' ticks nor the next tick.
    try {
      room->onTick(now, slot);
    } catch (const std::exception& e) {
      noteContained("tick", e.what());
    }
  }
  // Probes are few (bounded per worker) and short-lived: each tick looks at all of them,
  // and the ones that are done go here, outside their transport's callbacks.
  for (auto it = probes_.begin(); it != probes_.end();) {
    it->second->onTick(now);
    it = it->second->done(now) ? probes_.erase(it) : std::next(it);
  }
  heapTrimmer_.onTick(now);  // asks the control thread for a trim when due
  loop_.runAfter(delay, [this] { tick(); });
}

}  // namespace medrtc::sfu
