#pragma once
// Every way the synthetic client can refuse a description or an operation, named.
#include <string_view>

namespace medrtc::client {

enum class ClientError {
  kSdpParseFailed,          // The remote description is not valid SDP.
  kNoMedia,                 // No accepted m-line in the remote description.
  kMissingIceCredentials,   // No ice-ufrag/ice-pwd for the bundled transport.
  kMissingFingerprint,      // No a=fingerprint (RFC 8122 §5) we can check.
  kNoCandidate,             // No UDP candidate with an IP literal: we do not resolve mDNS.
  kUnsupportedSetup,        // a=setup value we cannot pair with (e.g. holdconn).
  kWrongState,              // e.g. applyAnswer before createPublishOffer, or after close().
  kSocketFailed,            // Binding the UDP socket failed.
};

std::string_view toString(ClientError error);

}  // namespace medrtc::client
