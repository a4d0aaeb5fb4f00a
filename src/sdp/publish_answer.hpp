#pragma once
// The server's answer to a publisher connection's offer (docs/protocol.md "Media model").
//
// For each offered m-line, in order (RFC 3264 §6: the answer has as many m-lines as the
// offer): audio/video m-lines with a codec the server can receive are accepted with
//   - the first supported codec in the offer's preference order, under the OFFER's payload
//     type number (RFC 3264 §6.1), plus the rtx whose apt points at it (RFC 4588 §8.6);
//   - rtcp-fb intersected with the server's (transport-cc only with its header extension);
//   - the header extensions of ServerCapabilities the offer has, under the offer's ids;
//   - recvonly (the server never sends on a publisher connection), setup:passive (the server
//     is always the DTLS server), rtcp-mux, rtcp-rsize if offered, our ICE/DTLS attributes
//     and our single host candidate.
// Everything else (no common codec, application/datachannel for now, not in the offer's
// BUNDLE group, port 0 in the offer) is rejected with port 0 and keeps its mid.
//
// The answer's o= session id is derived from our ICE ufrag; its version is the offer's, so it
// grows with every renegotiation the client starts (RFC 3264 §8).
//
// Errors (the whole offer is refused): an accepted m-line without ICE credentials,
// fingerprint, rtcp-mux or mid; bundled m-lines that disagree on ICE credentials or
// fingerprint; setup:passive in the offer; several accepted m-lines and no BUNDLE group;
// nothing acceptable at all.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sdp/local_transport.hpp"
#include "sdp/sdp_error.hpp"
#include "sdp/server_capabilities.hpp"
#include "sdp/session_description.hpp"

namespace medrtc::sdp {

// What the SFU needs to create a producer for one accepted m-line.
struct PublishedTrack {
  std::string mid;
  std::string kind;
  std::vector<Codec> codecs;      // negotiated, with the offer's PTs (rtx included)
  std::vector<ExtMap> extensions; // negotiated, with the offer's ids
  std::vector<uint32_t> ssrcs;    // media SSRCs (not the rtx ones); empty with RID simulcast
  std::optional<uint32_t> rtxSsrc;  // second SSRC of the first FID group
  std::string msidStream;
  std::string msidTrack;
  std::vector<std::string> rids;  // only when ServerCapabilities::acceptSimulcast
};

struct PublishAnswer {
  SessionDescription answer;
  std::vector<PublishedTrack> tracks;  // accepted m-lines on which the client sends
  std::string remoteIceUfrag;
  std::string remoteIcePwd;
  Fingerprint remoteFingerprint;  // sha-256 if offered, else the first
};

Result<PublishAnswer, SdpError> answerPublishOffer(const SessionDescription& offer,
                                                   const LocalTransport& local,
                                                   const ServerCapabilities& caps);

}  // namespace medrtc::sdp
