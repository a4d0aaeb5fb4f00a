#pragma once
// The server side of ICE for one WebRTC transport (RFC 8445 §2.5 lite agent): answers
// the browser's connectivity checks, learns which 5-tuples are valid, follows the
// peer's nomination, and tracks consent freshness (RFC 7675).
//
// RFC 8445 §2.5, §7.3.1.4: a lite agent never sends checks (no ordinary and no triggered
// checks) and is always the controlled agent; it only responds. So this class has no
// timers and no send path of its own: the caller passes each request in and sends back
// what the Outcome says.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "common/socket_address.hpp"
#include "ice/stun_message.hpp"

namespace medrtc::ice {

class IceLiteResponder {
 public:
  // RFC 7675 §5.1: consent is lost 30 s after the last successful check.
  static constexpr Micros kConsentTimeout = std::chrono::seconds(30);
  // Candidate pairs a browser can check against our one host candidate; more are evicted.
  static constexpr size_t kMaxTuples = 8;
  // RFC 8839 §5.4 lengths we generate: ufrag ≥ 4 chars (we use 8), pwd ≥ 22 (we use 24).
  static constexpr size_t kUfragLength = 8;
  static constexpr size_t kPasswordLength = 24;

  struct Outcome {
    enum class Kind { kIgnored, kSuccess, kError };
    Kind kind = Kind::kIgnored;
    // Send this back to `from` when non-empty. Points into the responder's own buffer:
    // valid until the next handleRequest call.
    ByteView response;
    uint16_t errorCode = 0;          // 400, 401 or 487 when kind == kError
    bool tupleValid = false;         // `from` passed an authenticated check just now
    bool nominated = false;          // ... and the controlling peer nominated it (USE-CANDIDATE)
    bool selectedTupleChanged = false;
    bool shouldSend() const { return !response.empty(); }
  };

  IceLiteResponder(std::string localUfrag, std::string localPassword);
  // Fresh random credentials from the OS CSPRNG.
  static IceLiteResponder withRandomCredentials();

  const std::string& localUfrag() const { return current_.ufrag; }
  const std::string& localPassword() const { return current_.password; }
  // The peer's ufrag from its SDP; until set, only our half of USERNAME is checked.
  void setRemoteUfrag(std::string remoteUfrag) { current_.remoteUfrag = std::move(remoteUfrag); }
  // ICE restart (RFC 8445 §9): new local credentials, the remote ufrag comes with the new
  // offer. Valid tuples stay usable until the peer nominates again.
  // The old credentials still answer until `previousValidUntil` or until the first check
  // with the new ones succeeds, whichever comes first (as mediasoup's IceServer): the peer
  // keeps sending consent checks with them until the new description reaches it, and
  // refusing those would cost it consent (RFC 7675) over a restart that is still on the
  // way. The default, 0, refuses them at once.
  void restart(std::string localUfrag, std::string localPassword, Micros previousValidUntil = Micros{0});
  // The ufrag replaced by the last restart while it still answers checks at `now`.
  std::optional<std::string> previousUfrag(Micros now) const;

  Outcome handleRequest(ByteView datagram, const SocketAddress& from, Micros now);
  // For a caller that already parsed the message (e.g. to route it by localUfragOf).
  Outcome handleRequest(const StunMessage& message, const SocketAddress& from, Micros now);

  // The latest nominated tuple, or if none was nominated the latest to become valid.
  std::optional<SocketAddress> selectedTuple() const;
  bool isValidTuple(const SocketAddress& address) const;
  // True when there is a selected tuple and it had no successful check for 30 s. False
  // before any tuple was valid: the transport's connect timeout covers that case.
  bool consentExpired(Micros now) const;

  // The part of USERNAME before ':', which is the receiver's (our) ufrag in a check
  // (RFC 8445 §7.2.2): lets a worker route a first packet from an unknown address.
  static std::optional<std::string_view> localUfragOf(const StunMessage& message);

 private:
  struct Tuple {
    SocketAddress address;
    Micros lastConsent{0};
    uint64_t validSeq = 0;      // order in which tuples became valid
    uint64_t nominatedSeq = 0;  // order of the latest nomination, 0 = never
    bool inUse = false;
  };

  struct Credentials {
    std::string ufrag;
    std::string password;
    std::string remoteUfrag;  // empty: any
  };
  static bool usernameMatches(const Credentials& credentials, std::string_view username);
  // The credentials a check's USERNAME names, or null when none (or expired ones) does.
  const Credentials* credentialsFor(std::string_view username, Micros now) const;
  Tuple& touchTuple(const SocketAddress& from, Micros now);
  const Tuple* selected() const;
  // `password` protects the response; null: not integrity-protected.
  Outcome respondError(const StunMessage& request, uint16_t code, const std::string* password);
  Outcome respondMalformed(ByteView datagram);
  Outcome respondSuccess(const StunMessage& request, const SocketAddress& from, const std::string& password);

  Credentials current_;
  std::optional<Credentials> previous_;  // the ones before the last restart, during the grace
  Micros previousValidUntil_{0};
  std::array<Tuple, kMaxTuples> tuples_{};
  uint64_t seq_ = 0;
  // Biggest response: header + XOR-MAPPED-ADDRESS (IPv6) + MI + FINGERPRINT = 96 bytes,
  // or an error with a short reason phrase.
  std::array<uint8_t, 256> responseBuffer_{};
};

}  // namespace medrtc::ice
