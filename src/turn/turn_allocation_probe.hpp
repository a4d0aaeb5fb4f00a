#pragma once
// A one-shot TURN client for `medrtc doctor`: proves that a TURN server from
// `--turn-url` really relays with the credentials medrtc hands out, not just
// that a port is open. RFC 8656 §7.2 Allocate with long-term credentials (RFC
// 8489 §9.2): a first request without credentials draws 401 with REALM and
// NONCE, the second carries USERNAME, REALM, NONCE and MESSAGE-INTEGRITY; on
// success a Refresh with LIFETIME 0 (RFC 8656 §7.3) gives the allocation back
// at once instead of holding a relay port for ten minutes.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace medrtc::turn {

enum class TurnTransport { kUdp, kTcp, kTls };

// A parsed TURN URI (RFC 7065 §3.1): turn:host[:port][?transport=udp|tcp],
// turns:host[:port].
struct TurnServerUri {
  std::string host;  // a name or an IP literal (IPv6 without brackets)
  uint16_t port = 0;
  TurnTransport transport = TurnTransport::kUdp;
};

Result<TurnServerUri, std::string> parseTurnServerUri(std::string_view uri);
const char *transportName(TurnTransport t);  // "UDP", "TCP", "TLS"

struct AllocationProbeResult {
  bool ok = false;
  std::string detail;          // one plain sentence: what happened, or what is wrong
  std::string relayedAddress;  // "203.0.113.7:49152" on success
};

struct AllocationProbeOptions {
  std::chrono::milliseconds timeout{3000};  // for the whole exchange
  // Certificate file of a TURN server whose certificate no system CA signs
  // (tests, a private CA); empty: the system trust store.
  std::string tlsCaFile;
};

// Allocates a UDP relay on `server` as `username`/`password` (a TURN REST
// credential: makeCredential()), then releases it. Never throws.
AllocationProbeResult probeAllocation(const TurnServerUri &server, const std::string &username,
                                      const std::string &password, const AllocationProbeOptions &options = {});

}  // namespace medrtc::turn
