#pragma once
// The transport of one synthetic client connection: full ICE as the controlling agent
// (IceControllingChecker) toward the server's one host candidate, then DTLS (client role
// when the server is passive, as ours always is) once the check succeeded, then SRTP
// sessions from the exported keys (RFC 5764 §4.2). Owns its UDP socket and runs on the
// caller's event loop; RFC 7983 §7 demultiplexes what arrives.
//
// Belongs to one event loop thread. Listener callbacks are made from the loop (or from
// start/send calls); a listener must not destroy the transport from inside one (post it).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "client/check_responder.hpp"
#include "client/client_identity.hpp"
#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/socket_address.hpp"
#include "dtls/dtls_transport.hpp"
#include "ice/ice_controlling_checker.hpp"
#include "net/event_loop.hpp"
#include "net/udp_socket.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "srtp/srtp_session.hpp"

namespace medrtc::client {

// What the remote description says about the server's side of the transport.
struct RemoteTransport {
  std::string iceUfrag;
  std::string icePassword;
  std::string fingerprintAlgorithm;  // "sha-256"
  std::string fingerprint;           // "AB:CD:..."
  SocketAddress candidate;           // the server's host candidate
  dtls::DtlsRole localDtlsRole = dtls::DtlsRole::kClient;
};

class ClientTransport final : private dtls::DtlsTransport::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onTransportConnected() = 0;
    // Decrypted and parsed; the view is valid only during the call.
    virtual void onTransportRtp(rtp::RtpPacketView& packet, Micros receivedAt) = 0;
    // Decrypted compound RTCP, valid only during the call.
    virtual void onTransportRtcp(ByteView compound, Micros receivedAt) = 0;
    virtual void onTransportFailed(const std::string& reason) = 0;
  };

  enum class State { kNew, kChecking, kDtlsConnecting, kConnected, kFailed, kClosed };

  struct Timing {
    Micros startedAt{0};  // start()
    std::optional<Micros> iceSucceededAt;
    std::optional<Micros> dtlsConnectedAt;
  };

  struct Stats {
    uint64_t stunSent = 0;
    uint64_t rtpSent = 0;
    uint64_t rtcpSent = 0;
    uint64_t rtpReceived = 0;
    uint64_t rtcpReceived = 0;
    uint64_t unprotectFailures = 0;
    uint64_t protectFailures = 0;
    uint64_t malformed = 0;
    uint64_t foreignDatagrams = 0;  // not from the server's candidate
    uint64_t checksAnswered = 0;    // the peer's own Binding requests (full-ICE servers)
  };

  // Binds the socket (port 0 = ephemeral) and registers it with the loop. Error: errno.
  static Result<std::unique_ptr<ClientTransport>, int> create(net::EventLoop& loop, const SocketAddress& bindAddress,
                                                              std::shared_ptr<const ClientIdentity> identity,
                                                              Listener& listener);
  ~ClientTransport() override;
  // Times each received datagram by its kernel arrival (SO_TIMESTAMPNS) instead of by the
  // loop turn that reads it, so a busy loop's own wait leaves the latency it measures
  // (issue 14 item 4). False if the kernel refused; the loop time is used then.
  bool useKernelArrivalTimes();
  ClientTransport(const ClientTransport&) = delete;
  ClientTransport& operator=(const ClientTransport&) = delete;

  const std::string& localUfrag() const { return localUfrag_; }
  const std::string& localPassword() const { return localPassword_; }
  const std::string& localFingerprint() const { return identity_->fingerprintSha256(); }
  const SocketAddress& localAddress() const { return socket_->localAddress(); }

  // Starts ICE (and DTLS after it). Only the first call counts: a re-offer keeps the
  // transport (ICE restart is not supported).
  void start(const RemoteTransport& remote);
  bool started() const { return state_ != State::kNew; }

  // Copy the plaintext packet into a send slot, protect it there, queue it. False before
  // SRTP is up or if protection fails. Call flush() after a burst (or let the transport's
  // own handlers do it).
  bool sendRtp(ByteView packet);
  bool sendRtcp(ByteView compound);
  void flush() { socket_->flush(); }

  // Stops everything; no callback follows. Terminal.
  void close();

  State state() const { return state_; }
  const Timing& timing() const { return timing_; }
  const Stats& stats() const { return stats_; }
  const net::UdpSocket::Stats& socketStats() const { return socket_->stats(); }
  std::optional<srtp::SrtpProfile> srtpProfile() const { return profile_; }
  std::optional<SocketAddress> mappedAddress() const;

 private:
  ClientTransport(net::EventLoop& loop, std::unique_ptr<net::UdpSocket> socket,
                  std::shared_ptr<const ClientIdentity> identity, Listener& listener);

  // dtls::DtlsTransport::Listener
  void onDtlsSend(ByteView datagram) override;
  void onDtlsConnected(const dtls::SrtpKeyMaterial& keys) override;
  void onDtlsFailed(dtls::DtlsError error) override;
  void onDtlsClosed() override;
  void onDtlsApplicationData(ByteView data) override {}

  void onReadable();
  void handleDatagram(MutableByteView data, const SocketAddress& from, Micros now);
  void handleSrtp(MutableByteView data, Micros now);
  void tick();
  void scheduleTick();
  void failWith(const std::string& reason);

  net::EventLoop& loop_;
  std::unique_ptr<net::UdpSocket> socket_;
  bool kernelArrivalTimes_ = false;
  std::shared_ptr<const ClientIdentity> identity_;
  Listener& listener_;
  std::string localUfrag_;
  std::string localPassword_;
  State state_ = State::kNew;
  RemoteTransport remote_;
  std::unique_ptr<ice::IceControllingChecker> checker_;
  CheckResponder checkResponder_;
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::SrtpSession> srtpIn_;
  std::unique_ptr<srtp::SrtpSession> srtpOut_;
  std::optional<srtp::SrtpProfile> profile_;
  std::optional<net::EventLoop::TimerId> timer_;
  Micros timerAt_{0};
  Timing timing_;
  Stats stats_;
};

}  // namespace medrtc::client
