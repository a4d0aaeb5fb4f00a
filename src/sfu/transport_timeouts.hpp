#pragma once
// How long a WebRtcTransport waits for its peer. The defaults are the RFC values; tests
// shorten them to see a vanished client reported without waiting half a minute.
#include <chrono>

#include "common/clock.hpp"

namespace medrtc::sfu {

struct TransportTimeouts {
  // RFC 7675 §5.1: consent expires 30 s after the last successful check on the selected pair.
  Micros consentTimeout = std::chrono::seconds(30);
  // A client that never completes ICE+DTLS within this time after negotiating is gone.
  Micros connectTimeout = std::chrono::seconds(30);
  // After an ICE restart the old credentials still answer this long (or until the peer
  // checks with the new ones): the new description may still be on its way to the client.
  Micros iceRestartGrace = std::chrono::seconds(10);
  // A connected transport frees its DTLS state (dtls::DtlsTransport::releaseHandshakeState)
  // on the peer's first SRTP or SRTCP packet, which proves the peer has our last flight, or
  // at the latest this long after connecting; until then a lost last flight is answered
  // when the peer retransmits its own.
  Micros dtlsReleaseGrace = std::chrono::seconds(30);
};

}  // namespace medrtc::sfu
