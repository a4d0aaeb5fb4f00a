#pragma once
// Answers the peer's connectivity checks on the client side. Against our ICE-lite server
// nothing ever asks (RFC 8445 §7.3.1.4: a lite agent sends no checks), but a full agent
// such as Janus (libnice) sends its own checks to our host candidate and, as the
// controlled agent, only accepts our nomination once its triggered check for that pair
// succeeded (RFC 8445 §7.3.1.5, §8.1.2). So we answer them with our local password.
//
// We are always the controlling agent and never switch roles: a request that says it is
// controlling too gets 487 Role Conflict (RFC 8445 §7.3.1.1; we keep the role whatever
// the tie-breakers say, as the server-side responder does from the other side).
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "common/bytes.hpp"
#include "common/socket_address.hpp"
#include "ice/stun_message.hpp"

namespace medrtc::client {

class CheckResponder {
 public:
  CheckResponder(std::string localUfrag, std::string localPassword);

  // The response to send back to `from`, or nothing for a request we do not answer
  // (unauthenticated: the peer retries and eventually gives up, as with a lost packet).
  // The bytes live in this object until the next call.
  std::optional<ByteView> respond(const ice::StunMessage& request, const SocketAddress& from);

  uint64_t answered() const { return answered_; }

 private:
  std::string localUfrag_;
  std::string localPassword_;
  std::array<uint8_t, 256> buffer_{};
  uint64_t answered_ = 0;
};

}  // namespace medrtc::client
