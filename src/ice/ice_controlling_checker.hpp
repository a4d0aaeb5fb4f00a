#pragma once
// The client side of one candidate pair, as a full controlling agent talks to our
// ICE-lite server: sends Binding requests (RFC 8445 §7.2.2, §7.2.4), retransmits them
// (RFC 8489 §6.2.1), matches responses by transaction id, checks their integrity, and
// afterwards keeps consent fresh (RFC 7675). Used by the load generator and by tests;
// the browser plays this role in production. No sockets and no clock: the caller says
// what time it is and sends what poll() returns.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "common/socket_address.hpp"
#include "ice/stun_constants.hpp"

namespace medrtc::ice {

class IceControllingChecker {
 public:
  struct Config {
    std::string localUfrag;
    std::string remoteUfrag;
    std::string remotePassword;  // the server's ice-pwd keys our requests and its responses
    uint32_t priority = 0x6E0001FF;
    uint64_t tieBreaker = 0;  // RFC 8445 §16.1: random 64-bit; 0 = draw one
    bool nominate = true;     // send USE-CANDIDATE (RFC 8445 §8.1.1 regular nomination)
    // Set to check that responses come from where the requests went (RFC 8445 §7.2.5.2.1).
    std::optional<SocketAddress> remoteAddress;
    // RFC 8445 §14.2: Ta, the pacing between any two transmissions, default 50 ms.
    Micros ta = std::chrono::milliseconds(50);
    // RFC 8489 §6.2.1: RTO starts at 500 ms (RFC 8445 §14.3 for ICE) and doubles; Rc = 7
    // transmissions; the last waits Rm = 16 × RTO.
    Micros initialRto = std::chrono::milliseconds(500);
    int maxTransmissions = 7;
    int lastWaitFactor = 16;
    // RFC 7675 §5.1: consent checks every 5 s, randomised to 0.8..1.2 of that.
    Micros consentInterval = std::chrono::seconds(5);
  };

  enum class State { kIdle, kChecking, kSucceeded, kFailed };

  struct Event {
    // kUnverifiedError: an error response without valid MESSAGE-INTEGRITY (a lite server
    // sends 400/401 that way). Reported for diagnosis only; the transaction goes on.
    enum class Kind { kNone, kSucceeded, kErrorResponse, kUnverifiedError, kTimedOut };
    Kind kind = Kind::kNone;
    std::optional<SocketAddress> mappedAddress;  // XOR-MAPPED-ADDRESS of a success
    uint16_t errorCode = 0;
  };

  explicit IceControllingChecker(Config config);

  // Starts the connectivity check; the first request goes out on the next poll().
  void start(Micros now);
  // A request to send now (first transmission, retransmission or consent check), or
  // nothing. The bytes live in this object until the next poll(). `event` reports a
  // timeout if the check gave up.
  std::optional<ByteView> poll(Micros now, Event* event = nullptr);
  // When poll() next has something to do.
  std::optional<Micros> nextWakeup() const;
  // Feed every STUN datagram from the server here. Ignores what is not a verified
  // response to our outstanding transaction.
  Event handleResponse(ByteView datagram, const SocketAddress& from, Micros now);

  State state() const { return state_; }
  const std::optional<SocketAddress>& mappedAddress() const { return mapped_; }
  // Last time a check succeeded; consent is lost 30 s after it (RFC 7675 §5.1).
  std::optional<Micros> lastSuccess() const { return lastSuccess_; }
  uint64_t tieBreaker() const { return config_.tieBreaker; }

 private:
  void beginTransaction(Micros now);
  ByteView buildRequest();
  Micros consentDelay() const;

  Config config_;
  State state_ = State::kIdle;
  bool outstanding_ = false;
  TransactionId transactionId_{};
  int transmissions_ = 0;
  Micros rto_{0};
  Micros nextSend_{0};     // next (re)transmission, when outstanding_ and more are allowed
  Micros giveUpAt_{0};     // when outstanding_ and all transmissions are spent
  Micros lastSentAt_{-1'000'000'000};
  Micros nextConsent_{0};  // after success: when to start the next consent check
  std::optional<SocketAddress> mapped_;
  std::optional<Micros> lastSuccess_;
  std::array<uint8_t, 1024> requestBuffer_{};
  size_t requestSize_ = 0;
};

}  // namespace medrtc::ice
