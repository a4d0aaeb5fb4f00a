#pragma once
// How the TURN probe reaches a server: one STUN message per UDP datagram, or
// STUN messages framed by their own length on a TCP or TLS stream (RFC 8489
// §6.2.2). Blocking sockets with a deadline: the probe is a one-shot CLI check,
// not part of the media path.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "turn/turn_allocation_probe.hpp"

namespace medrtc::turn {

using Deadline = std::chrono::steady_clock::time_point;

class ProbeChannel {
 public:
  virtual ~ProbeChannel() = default;
  virtual bool send(ByteView message) = 0;
  // The next whole STUN message, or nullopt at the deadline or when the peer
  // closed; error() then says which.
  virtual std::optional<std::vector<uint8_t>> receive(Deadline deadline) = 0;
  // UDP loses datagrams: the caller resends a request that got no answer.
  virtual bool reliable() const = 0;
  const std::string &error() const { return error_; }

 protected:
  std::string error_;
};

// Connects (and for TLS, verifies the certificate against the system trust
// store or `caFile`, and the host name); nullptr with `why` set when it cannot.
std::unique_ptr<ProbeChannel> openProbeChannel(const TurnServerUri &server, const std::string &caFile,
                                               Deadline deadline, std::string &why);

}  // namespace medrtc::turn
