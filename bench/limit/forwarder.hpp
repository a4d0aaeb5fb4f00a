#pragma once
// The reference forwarder: one thread doing nothing but recvmmsg → SRTP unprotect →
// copy into a send slot → SRTP protect → sendmmsg, back to where each packet came from.
// It is what an SFU's media worker does per packet, minus routing and RTCP.
#include <cstdint>
#include <memory>

#include "phase.hpp"
#include "net/udp_socket.hpp"
#include "srtp/srtp_session.hpp"

namespace medrtc::bench {

struct ForwarderCounters {
  uint64_t forwarded = 0;
  uint64_t unprotectErrors = 0;
  uint64_t protectErrors = 0;
  uint64_t sendErrors = 0;
  double cpuSeconds = 0;
  double wallSeconds = 0;
};

class Forwarder {
 public:
  Forwarder(std::unique_ptr<net::UdpSocket> socket, std::unique_ptr<srtp::SrtpSession> inbound,
            std::unique_ptr<srtp::SrtpSession> outbound)
      : socket_(std::move(socket)), inbound_(std::move(inbound)), outbound_(std::move(outbound)) {}

  const SocketAddress& address() const { return socket_->localAddress(); }

  // Runs on the calling thread until the phase is kStopped; returns the counters of the
  // measuring window only.
  ForwarderCounters run(const SharedPhase& phase);

 private:
  void forwardOne(MutableByteView packet, const SocketAddress& from);
  // Snapshots the counters when the phase changed; true once stopped.
  bool observePhase(Phase now);

  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<srtp::SrtpSession> inbound_;
  std::unique_ptr<srtp::SrtpSession> outbound_;
  ForwarderCounters total_;
  ForwarderCounters start_;
  Phase seen_ = Phase::kWarmup;
  const SharedPhase* phase_ = nullptr;
};

}  // namespace medrtc::bench
