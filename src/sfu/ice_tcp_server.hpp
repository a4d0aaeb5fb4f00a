#pragma once
// Passive ICE-TCP (RFC 6544) for one worker: a TCP listener on the same port number as the
// worker's UDP socket, as mediasoup's WebRtcServer does. Browsers that cannot send UDP
// (a firewall allows only TCP) open a connection to a `tcptype passive` host candidate;
// each RFC 4571 frame on it is one packet that the worker handles exactly as a datagram
// (STUN, DTLS and SRTP, demuxed per packet by RFC 7983).
//
// Everything that arrives here is untrusted until a connectivity check on the connection
// succeeds (the worker calls markAuthenticated). Until then a connection may carry only
// STUN and must authenticate within handshakeTimeout; every connection has bounded buffers
// (one frame in, maxQueuedBytes out) and closes when idle. A connection that breaks a rule
// is closed and counted; nothing else is affected.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/socket_address.hpp"
#include "net/event_loop.hpp"
#include "net/tcp_framing.hpp"

namespace medrtc::sfu {

class IceTcpServer {
 public:
  using ConnectionId = uint64_t;

  struct Limits {
    size_t maxConnections = 1000;
    // Time to the first successful check: a client that connects and then trickles bytes
    // (slowloris) or sends nothing holds a slot no longer than this.
    Micros handshakeTimeout = std::chrono::seconds(10);
    // RFC 7675: browsers send a consent check every ~5 s; 30 s of silence is a dead peer.
    Micros idleTimeout = std::chrono::seconds(30);
    // Frames waiting for the socket. A peer that stops reading loses frames past this,
    // as a full UDP path would lose datagrams; memory per connection stays bounded.
    size_t maxQueuedBytes = 256 * 1024;
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // One complete frame from `remote`. Unauthenticated connections deliver only STUN.
    virtual void onIceTcpFrame(ConnectionId id, const SocketAddress& remote, MutableByteView frame) = 0;
    virtual void onIceTcpClosed(ConnectionId id) = 0;
  };

  struct Stats {
    uint64_t accepted = 0;
    uint64_t refusedOverCap = 0;     // closed at once: maxConnections open
    uint64_t closedByPeer = 0;       // EOF or a socket error
    uint64_t closedInvalid = 0;      // bad framing, or non-STUN before authentication
    uint64_t closedTimeout = 0;      // no authentication in time, or idle
    uint64_t framesReceived = 0;
    uint64_t framesSent = 0;
    uint64_t framesDropped = 0;      // output queue full
  };

  // Listens on `local` (the worker's UDP address: same IP, same port). Error is an errno.
  static Result<std::unique_ptr<IceTcpServer>, int> listen(net::EventLoop& loop, const SocketAddress& local,
                                                          Listener& listener, Limits limits);
  ~IceTcpServer();
  IceTcpServer(const IceTcpServer&) = delete;
  IceTcpServer& operator=(const IceTcpServer&) = delete;

  const SocketAddress& localAddress() const { return local_; }

  // A connectivity check on this connection succeeded: it may now carry DTLS and SRTP.
  void markAuthenticated(ConnectionId id);
  // Queues one frame. False if the connection is gone or its queue is full.
  bool send(ConnectionId id, ByteView packet);
  // Writes what was queued; called once per loop turn, like UdpSocket::flush().
  void flush();
  void close(ConnectionId id);

  size_t connectionCount() const { return connections_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Connection;
  enum class CloseReason { kPeer, kInvalid, kTimeout, kServer };

  IceTcpServer(net::EventLoop& loop, int fd, SocketAddress local, Listener& listener, Limits limits);
  void onAcceptable();
  void onConnectionEvent(ConnectionId id, uint32_t events);
  void readFrom(Connection& c);
  void writeTo(Connection& c);
  void watch(Connection& c, bool wantWrite);
  void closeConnection(Connection& c, CloseReason reason);
  void sweep();

  net::EventLoop& loop_;
  int fd_;
  SocketAddress local_;
  Listener& listener_;
  Limits limits_;
  bool listening_ = true;
  net::EventLoop::TimerId sweepTimer_ = 0;
  ConnectionId nextId_ = 1;
  std::unordered_map<ConnectionId, std::unique_ptr<Connection>> connections_;
  // Closed during a callback: destroyed in flush(), after the stack that used them unwound.
  std::vector<std::unique_ptr<Connection>> closed_;
  std::vector<ConnectionId> pendingWrites_;
  Stats stats_;
};

}  // namespace medrtc::sfu
