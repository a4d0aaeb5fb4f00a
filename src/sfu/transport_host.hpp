#pragma once
// What a WebRtcTransport needs from the worker that owns it: the shared UDP socket (and
// ICE-TCP connections), and the maps that route an incoming packet to its transport. An
// interface so transports can be tested without a worker.
#include <string>

#include "common/clock.hpp"
#include "common/socket_address.hpp"
#include "net/udp_socket.hpp"
#include "sfu/transport_timeouts.hpp"

namespace medrtc::sfu {

class WebRtcTransport;

class TransportHost {
 public:
  virtual ~TransportHost() = default;
  virtual net::UdpSocket& socket() = 0;
  // A transport announces its ICE username fragment so the first check finds it.
  virtual void registerTransport(const std::string& localUfrag, WebRtcTransport& transport) = 0;
  // Forgets the ufrag and every 5-tuple bound to the transport.
  virtual void unregisterTransport(const std::string& localUfrag, WebRtcTransport& transport) = 0;
  // Forgets only the ufrag (the one an ICE restart replaced); the 5-tuples stay bound.
  virtual void unregisterUfrag(const std::string& localUfrag, WebRtcTransport& transport) = 0;
  // The ICE agent validated a check from this 5-tuple: route its datagrams to `transport`.
  virtual void bindTuple(const SocketAddress& remote, WebRtcTransport& transport) = 0;
  virtual Micros now() const = 0;
  // When the datagram being handled reached the host's socket, on now()'s clock: the
  // kernel's receive stamp where the host has one, else now(). Transport-wide feedback to
  // a publisher reports this, so a worker that a busy CPU kept from reading for a while
  // does not show the publisher's estimator a queue that was only ours.
  virtual Micros receivedAt() const { return now(); }
  // `transport` queued packets it numbered for the bandwidth estimator: call its
  // onDeparted() once they have left the socket. A host that does not leaves their send
  // time at when they were queued.
  virtual void awaitDeparture(WebRtcTransport& /*transport*/) {}

  // Where a transport's packets leave. A remote address the transport validated over
  // ICE-TCP is reached on that connection; anything else on the UDP socket (the default,
  // for hosts without TCP). reservePacket/commitPacket mirror UdpSocket::reserveSend/
  // commitSend, so SRTP protects in place on the UDP path.
  virtual MutableByteView reservePacket(WebRtcTransport& /*from*/, const SocketAddress& to) {
    return socket().reserveSend(to);
  }
  virtual void commitPacket(size_t length, net::SendPriority priority = net::SendPriority::kNormal) {
    socket().commitSend(length, priority);
  }
  virtual void sendPacket(WebRtcTransport& /*from*/, ByteView data, const SocketAddress& to) {
    socket().send(data, to);
  }
  // The transport freed its DTLS association (WebRtcTransport::releaseDtls): the host may
  // give the freed heap back to the kernel (sfu/heap_trimmer.hpp).
  virtual void onDtlsReleased() {}
  virtual const TransportTimeouts& transportTimeouts() const {
    static const TransportTimeouts defaults;
    return defaults;
  }
};

}  // namespace medrtc::sfu
