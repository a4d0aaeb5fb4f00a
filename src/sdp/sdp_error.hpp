#pragma once
// Named SDP errors. Parse errors carry the 1-based line number of the offending line so a
// client developer can find the problem; negotiation errors concern the description as a
// whole and map to the `sdp_invalid` signaling error (docs/protocol.md).
#include <cstddef>
#include <string_view>

namespace medrtc::sdp {

enum class SdpError {
  // Structure (RFC 8866 §5).
  kTooLarge,           // input over kMaxSdpBytes
  kTooManyLines,       // over kMaxSdpLines
  kMissingVersion,     // first line is not "v=0"
  kMalformedLine,      // not "<letter>=<value>", or a control character inside
  kMissingOrigin,      // no o= line before the first m= line
  kMissingSessionName, // no s= line
  kInvalidOrigin,
  kInvalidConnection,
  kInvalidMediaLine,
  kInvalidPort,
  kInvalidPayloadType,  // not 0..127, or an attribute names a PT not in the m= line
  // Attributes.
  kInvalidRtpmap,
  kInvalidFmtp,
  kInvalidRtcpFb,
  kInvalidExtmap,
  kInvalidSsrc,
  kInvalidSsrcGroup,
  kInvalidCandidate,
  kInvalidFingerprint,
  kInvalidSetup,
  kInvalidIceCredentials,
  kInvalidGroup,
  kInvalidMid,
  kDuplicateMid,
  kInvalidMsid,
  kInvalidRid,
  kInvalidSimulcast,
  kInvalidSctp,
  kInvalidDirection,
  // Negotiation (answerPublishOffer / readSubscriberAnswer).
  kMissingIceCredentials,
  kMissingFingerprint,
  kMissingRtcpMux,
  kMissingMid,
  kMissingBundle,
  kInconsistentTransport,  // bundled m-lines disagree on ICE credentials or fingerprint
  kUnsupportedSetup,       // remote wants a DTLS role we cannot take: we are always the server
  kNoAcceptedMedia,        // no m-line with a common codec
};

struct ParseFailure {
  SdpError code;
  size_t line;  // 1-based; 0 when the error is about the whole input (size, missing lines)
};

std::string_view toString(SdpError error);

}  // namespace medrtc::sdp
