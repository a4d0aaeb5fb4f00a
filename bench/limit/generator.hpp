#pragma once
// The load side: builds RTP packets of the configured size, SRTP-protects them and sends
// them to the forwarder as fast as the window allows, counting what comes back. It runs
// on the other core so its own cost never lands on the forwarder's.
#include <cstdint>
#include <memory>
#include <vector>

#include "limit_types.hpp"
#include "net/udp_socket.hpp"
#include "phase.hpp"
#include "srtp/srtp_session.hpp"

namespace medrtc::bench {

struct GeneratorCounters {
  uint64_t sent = 0;
  uint64_t returned = 0;
  uint64_t verified = 0;
  uint64_t verifyFailures = 0;
  double cpuSeconds = 0;  // of the measuring window
};

class Generator {
 public:
  // outbound protects what we send (the forwarder's inbound key); verify checks a sample of
  // what comes back (the forwarder's outbound key).
  Generator(const LimitConfig& config, std::unique_ptr<net::UdpSocket> socket,
            std::unique_ptr<srtp::SrtpSession> outbound, std::unique_ptr<srtp::SrtpSession> verify,
            SocketAddress forwarder);

  // Runs warm-up and the measuring window on the calling thread, driving `phase`.
  GeneratorCounters run(SharedPhase& phase);

 private:
  void sendBatch(size_t count);
  void onReturned(MutableByteView packet);

  LimitConfig config_;
  std::unique_ptr<net::UdpSocket> socket_;
  std::unique_ptr<srtp::SrtpSession> outbound_;
  std::unique_ptr<srtp::SrtpSession> verify_;
  SocketAddress forwarder_;
  std::vector<uint8_t> payload_;
  uint16_t sequence_ = 0;
  uint32_t timestamp_ = 0;
  GeneratorCounters counters_;
};

}  // namespace medrtc::bench
