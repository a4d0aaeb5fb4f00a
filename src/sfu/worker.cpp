#include "sfu/worker.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>

#include <cstring>
#include <ctime>
#include <stdexcept>

#include "ice/stun_message.hpp"
#include "net/announced_addresses.hpp"
#include "sfu/room.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

namespace {
constexpr Micros kTickInterval{20'000};
// See worker_tick_slots.hpp: 2 ms slots, each participant ticks every 20 ms.
constexpr unsigned kTickSlots = 10;
}  // namespace

Worker::Worker(int index, const MediaConfig& config, ControlPoster toControl, MediaEvents& events)
    : index_(index),
      toControl_(std::move(toControl)),
      events_(events),
      timeouts_(config.transportTimeouts),
      tickSlots_(kTickInterval, kTickSlots) {
  uint16_t port = config.portBase == 0 ? 0 : static_cast<uint16_t>(config.portBase + index);
  auto bindAddress = SocketAddress::fromIp(config.listenIp, port);
  if (!bindAddress) {
    throw std::runtime_error("media: --media-listen is not an IP address: " + config.listenIp);
  }
  auto socket = net::UdpSocket::bind(*bindAddress);
  if (!socket.ok()) {
    throw std::runtime_error("media: cannot bind UDP " + bindAddress->toString() + ": " +
                             std::strerror(socket.error()));
  }
  socket_ = std::move(socket).value();
  announcedIps_ = net::chooseAnnouncedIps({config.listenIp, config.announcedIps, config.publicIp},
                                          net::listInterfaceAddresses());
  dtlsContext_ = dtls::DtlsContext::create(dtls::Certificate::generate(), dtls::DtlsRole::kServer);
  loop_.addFd(socket_->fd(), EPOLLIN, [this](uint32_t) { onReadable(); });
  // Everything queued while handling a batch of events leaves in one sendmmsg.
  loop_.setAfterEventsHook([this] { socket_->flush(); });
}

Worker::~Worker() { stop(); }

void Worker::start() {
  loop_.runAfter(tickSlots_.start(loop_.now()), [this] { tick(); });
  thread_ = std::thread([this] {
    bindMediaCounters(&counters_);
    loop_.run();
    // Tear down on the worker thread: rooms own transports that belong to this loop.
    rooms_.clear();
  });
  std::string announced;
  for (const auto& ip : announcedIps_) {
    announced += (announced.empty() ? "" : ",") + ip;
  }
  spdlog::info("media worker {} listening on udp {} announcing {}", index_, socket_->localAddress().toString(),
               announced);
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
    spdlog::info("room opened room={} worker={}", roomId, index_);
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
  spdlog::info("room closed room={} worker={}", roomId, index_);
}

void Worker::registerTransport(const std::string& localUfrag, WebRtcTransport& transport) {
  transportsByUfrag_[localUfrag] = &transport;
}

void Worker::unregisterTransport(const std::string& localUfrag, WebRtcTransport& transport) {
  transportsByUfrag_.erase(localUfrag);
  std::erase_if(transportsByTuple_, [&](const auto& entry) { return entry.second == &transport; });
}

void Worker::bindTuple(const SocketAddress& remote, WebRtcTransport& transport) {
  transportsByTuple_[remote] = &transport;
}

void Worker::onReadable() {
  socket_->receiveAll([this](MutableByteView data, const SocketAddress& from) { onDatagram(data, from); });
}

void Worker::onDatagram(MutableByteView data, const SocketAddress& from) {
  auto known = transportsByTuple_.find(from);
  if (known != transportsByTuple_.end()) {
    known->second->receiveDatagram(data, from);
    return;
  }
  // RFC 8445 §2.5: a lite agent learns a peer's address only from a connectivity check,
  // whose USERNAME starts with our ufrag. Anything else from an unknown address is dropped.
  if (!ice::looksLikeStun(data)) {
    return;
  }
  auto message = ice::StunMessage::parse(data);
  if (!message.ok()) {
    return;
  }
  auto username = message->username();
  if (!username) {
    return;
  }
  auto colon = username->find(':');
  std::string localUfrag(username->substr(0, colon));
  auto transport = transportsByUfrag_.find(localUfrag);
  if (transport != transportsByUfrag_.end()) {
    transport->second->receiveDatagram(data, from);
  }
}

void Worker::tick() {
  Micros now = loop_.now();
  Micros delay{0};
  const unsigned slot = tickSlots_.fire(now, delay);
  for (auto& [id, room] : rooms_) {
    room->onTick(now, slot);
  }
  loop_.runAfter(delay, [this] { tick(); });
}

}  // namespace medrtc::sfu
