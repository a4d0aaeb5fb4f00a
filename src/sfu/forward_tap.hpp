#pragma once
// A test-only look at what the SFU forwards (docs/e2ee.md "The test tap"): the end-to-end
// encryption tests check that the payloads the server relays are ciphertext. Production
// `medrtc` never sets it, so the forwarding path pays one null check per packet; only the
// `medrtc-tap` test binary links the recorder that sets it (src/app/tap/forward_tap_recorder.cpp).
#include "rtp/rtp_packet_view.hpp"

namespace medrtc::sfu {

// Called on a worker thread with every RTP packet the SFU forwards, after SRTP unprotect
// and before it is rewritten for each subscriber. Must not throw; may be called from
// several workers at once.
using ForwardTap = void (*)(const rtp::RtpPacketView& packet);

// Null unless a test binary set it before the workers started.
extern constinit ForwardTap forwardTap;

}  // namespace medrtc::sfu
