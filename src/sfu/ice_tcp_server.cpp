#include "sfu/ice_tcp_server.hpp"
#include "log/log.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace medrtc::sfu {

namespace {
constexpr Micros kSweepInterval = std::chrono::seconds(1);
// After EMFILE/ENFILE the pending connection stays in the backlog and epoll reports it
// again at once; pause accepting instead of spinning on it.
constexpr Micros kAcceptPause = std::chrono::seconds(1);
// Per readable event: enough for a burst of media, bounded so one busy connection does
// not starve the UDP socket or other connections sharing the loop.
constexpr size_t kReadChunk = 16 * 1024;
constexpr int kReadsPerEvent = 4;
constexpr int kAcceptsPerEvent = 64;

bool isStun(ByteView frame) { return !frame.empty() && frame[0] <= 3; }  // RFC 7983 §7
}  // namespace

struct IceTcpServer::Connection {
  ConnectionId id = 0;
  int fd = -1;
  SocketAddress remote;
  net::Rfc4571Reader reader;
  std::vector<uint8_t> out;  // framed packets not yet written
  size_t outWritten = 0;     // bytes of `out` already written
  bool authenticated = false;
  bool wantWrite = false;
  bool writePending = false;  // queued in pendingWrites_
  Micros openedAt{0};
  Micros lastReceiveAt{0};
};

Result<std::unique_ptr<IceTcpServer>, int> IceTcpServer::listen(net::EventLoop& loop, const SocketAddress& local,
                                                               Listener& listener, Limits limits) {
  int fd = ::socket(local.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(errno);
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (local.family() == AF_INET6) {
    int v6only = 0;  // dual-stack, as the worker's UDP socket (net/udp_socket.cpp)
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (::bind(fd, local.sockaddrPtr(), local.length()) != 0 || ::listen(fd, 128) != 0) {
    int err = errno;
    ::close(fd);
    return fail(err);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  auto address = SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&bound), len);
  return std::unique_ptr<IceTcpServer>(new IceTcpServer(loop, fd, address, listener, limits));
}

IceTcpServer::IceTcpServer(net::EventLoop& loop, int fd, SocketAddress local, Listener& listener, Limits limits)
    : loop_(loop), fd_(fd), local_(local), listener_(listener), limits_(limits) {
  loop_.addFd(fd_, EPOLLIN, [this](uint32_t) { onAcceptable(); });
  sweepTimer_ = loop_.runAfter(kSweepInterval, [this] { sweep(); });
}

IceTcpServer::~IceTcpServer() {
  loop_.cancelTimer(sweepTimer_);
  if (listening_) {
    loop_.removeFd(fd_);
  }
  ::close(fd_);
  for (auto& [id, c] : connections_) {
    loop_.removeFd(c->fd);
    ::close(c->fd);
  }
}

void IceTcpServer::onAcceptable() {
  for (int i = 0; i < kAcceptsPerEvent; ++i) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        log::warn("ice_tcp_accept_paused", {{"listener", local_.toString()}, {"error", std::strerror(errno)}});
        loop_.removeFd(fd_);
        listening_ = false;
        loop_.runAfter(kAcceptPause, [this] {
          loop_.addFd(fd_, EPOLLIN, [this](uint32_t) { onAcceptable(); });
          listening_ = true;
        });
      }
      return;  // EAGAIN, or a connection that died in the backlog
    }
    if (connections_.size() >= limits_.maxConnections) {
      ++stats_.refusedOverCap;
      ::close(fd);
      continue;
    }
    int one = 1;
    // Media is latency-sensitive and every frame is a whole packet: no Nagle delay.
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Connection>();
    c->id = nextId_++;
    c->fd = fd;
    c->remote = SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&peer), len);
    c->openedAt = loop_.now();
    c->lastReceiveAt = c->openedAt;
    ConnectionId id = c->id;
    loop_.addFd(fd, EPOLLIN, [this, id](uint32_t events) { onConnectionEvent(id, events); });
    connections_.emplace(id, std::move(c));
    ++stats_.accepted;
  }
}

void IceTcpServer::onConnectionEvent(ConnectionId id, uint32_t events) {
  auto it = connections_.find(id);
  if (it == connections_.end()) {
    return;
  }
  Connection& c = *it->second;
  if ((events & EPOLLOUT) != 0) {
    writeTo(c);
    if (c.fd < 0) {
      return;
    }
  }
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
    readFrom(c);
  }
}

void IceTcpServer::readFrom(Connection& c) {
  uint8_t buffer[kReadChunk];
  for (int i = 0; i < kReadsPerEvent; ++i) {
    ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      return;
    }
    if (n <= 0) {
      closeConnection(c, CloseReason::kPeer);
      return;
    }
    c.lastReceiveAt = loop_.now();
    bool invalid = false;
    auto fed = c.reader.feed(ByteView(buffer, static_cast<size_t>(n)), [&](MutableByteView frame) {
      if (invalid || c.fd < 0) {
        return;  // closed by an earlier frame of this read, or by the listener
      }
      // RFC 6544 §7.2 via RFC 8445: only an authenticated check makes a connection part
      // of a valid pair; before that, DTLS or media on it is not from our peer.
      if (!c.authenticated && !isStun(frame)) {
        invalid = true;
        return;
      }
      ++stats_.framesReceived;
      listener_.onIceTcpFrame(c.id, c.remote, frame);
    });
    if (c.fd < 0) {
      return;
    }
    if (!fed.ok() || invalid) {
      closeConnection(c, CloseReason::kInvalid);
      return;
    }
    if (static_cast<size_t>(n) < sizeof buffer) {
      return;
    }
  }
}

void IceTcpServer::markAuthenticated(ConnectionId id) {
  auto it = connections_.find(id);
  if (it != connections_.end()) {
    it->second->authenticated = true;
  }
}

bool IceTcpServer::send(ConnectionId id, ByteView packet) {
  auto it = connections_.find(id);
  if (it == connections_.end() || packet.empty()) {
    return false;
  }
  Connection& c = *it->second;
  size_t queued = c.out.size() - c.outWritten;
  if (packet.size() > 0xFFFF || queued + net::Rfc4571Reader::kHeaderLength + packet.size() > limits_.maxQueuedBytes) {
    ++stats_.framesDropped;
    return false;
  }
  if (c.outWritten > 0 && c.outWritten == c.out.size()) {
    c.out.clear();
    c.outWritten = 0;
  }
  size_t at = c.out.size();
  c.out.resize(at + net::Rfc4571Reader::kHeaderLength + packet.size());
  net::writeRfc4571Header(c.out.data() + at, packet.size());
  std::memcpy(c.out.data() + at + net::Rfc4571Reader::kHeaderLength, packet.data(), packet.size());
  ++stats_.framesSent;
  if (!c.writePending && !c.wantWrite) {
    c.writePending = true;
    pendingWrites_.push_back(c.id);
  }
  return true;
}

void IceTcpServer::flush() {
  for (ConnectionId id : pendingWrites_) {
    auto it = connections_.find(id);
    if (it != connections_.end()) {
      it->second->writePending = false;
      writeTo(*it->second);
    }
  }
  pendingWrites_.clear();
  closed_.clear();
}

void IceTcpServer::writeTo(Connection& c) {
  while (c.outWritten < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.outWritten, c.out.size() - c.outWritten, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        watch(c, true);
        return;
      }
      closeConnection(c, CloseReason::kPeer);
      return;
    }
    c.outWritten += static_cast<size_t>(n);
  }
  c.out.clear();
  c.outWritten = 0;
  watch(c, false);
}

void IceTcpServer::watch(Connection& c, bool wantWrite) {
  if (c.wantWrite == wantWrite) {
    return;
  }
  c.wantWrite = wantWrite;
  ConnectionId id = c.id;
  // EventLoop has no modify: re-register with the new interest set.
  loop_.removeFd(c.fd);
  loop_.addFd(c.fd, wantWrite ? (EPOLLIN | EPOLLOUT) : EPOLLIN,
              [this, id](uint32_t events) { onConnectionEvent(id, events); });
}

void IceTcpServer::close(ConnectionId id) {
  auto it = connections_.find(id);
  if (it != connections_.end()) {
    closeConnection(*it->second, CloseReason::kServer);
  }
}

void IceTcpServer::closeConnection(Connection& c, CloseReason reason) {
  const char* why = "by the worker";
  switch (reason) {
    case CloseReason::kPeer:
      ++stats_.closedByPeer;
      why = "by the peer";
      break;
    case CloseReason::kInvalid:
      ++stats_.closedInvalid;
      why = "invalid framing or content";
      break;
    case CloseReason::kTimeout:
      ++stats_.closedTimeout;
      why = c.authenticated ? "idle" : "no check in time";
      break;
    case CloseReason::kServer:
      break;
  }
  // The connection id, not the peer's address: addresses are personal data in the logs.
  log::debug("ice_tcp_connection_closed", {{"listener", local_.toString()}, {"connection", c.id}, {"reason", why}});
  loop_.removeFd(c.fd);
  ::close(c.fd);
  c.fd = -1;
  ConnectionId id = c.id;
  auto it = connections_.find(id);
  // Keep the object alive until flush(): the caller may be inside its reader's callback.
  closed_.push_back(std::move(it->second));
  connections_.erase(it);
  listener_.onIceTcpClosed(id);
}

void IceTcpServer::sweep() {
  Micros now = loop_.now();
  std::vector<Connection*> expired;
  for (auto& [id, c] : connections_) {
    bool late = c->authenticated ? now - c->lastReceiveAt > limits_.idleTimeout
                                 : now - c->openedAt > limits_.handshakeTimeout;
    if (late) {
      expired.push_back(c.get());
    }
  }
  for (Connection* c : expired) {
    closeConnection(*c, CloseReason::kTimeout);
  }
  sweepTimer_ = loop_.runAfter(kSweepInterval, [this] { sweep(); });
}

}  // namespace medrtc::sfu
