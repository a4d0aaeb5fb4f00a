#pragma once
// What the SFU can receive and forward, written as data. The canonical payload types are
// the ones the server uses toward subscribers; publishers keep their own numbers (an answer
// must reuse the offer's, RFC 3264 §6.1) and the SFU rewrites PTs per the maps below.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/session_description.hpp"

namespace medrtc::sdp {

inline constexpr std::string_view kExtSdesMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr std::string_view kExtAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr std::string_view kExtTransportWideCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr std::string_view kExtAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr std::string_view kExtRtpStreamId =
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr std::string_view kExtRepairedRtpStreamId =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

struct ServerCodec {
  std::string kind;  // "audio" or "video"
  std::string name;  // "opus", "VP8", "H264"
  uint32_t clockRate = 0;
  uint32_t channels = 0;  // 2 for opus, 0 for video
  int payloadType = 0;    // canonical, toward subscribers
  std::optional<int> rtxPayloadType;
  std::string fmtp;  // what the server offers to subscribers
  std::vector<std::string> rtcpFeedback;
};

struct ServerCapabilities {
  std::vector<ServerCodec> codecs;
  std::vector<std::string> headerExtensions;  // URIs the publisher side understands
  // RFC 8853 simulcast needs the SFU to demultiplex by RID; until it can, the answer does
  // not accept simulcast and the browser falls back to a single encoding.
  bool acceptSimulcast = false;
  // A video codec to take when the offer has it, whatever the offer's preference order
  // (empty: the offer's first acceptable codec). The SFU forwards what the publisher sends
  // without transcoding, so it asks for the one every subscriber's browser decodes.
  std::string preferredVideoCodec;

  static ServerCapabilities defaults();
};

// The canonical table: opus 111; VP8 96 (rtx 97); H264 102 (rtx 103).
const std::vector<ServerCodec>& serverCodecs();

// The server codec an offered codec of media `kind` can be received as, or nullptr.
// H264 is accepted only with packetization-mode=1 and profile_idc 0x42 (baseline or
// constrained baseline, RFC 6184 §8.1): what every browser can decode.
const ServerCodec* matchServerCodec(const Codec& offered, std::string_view kind,
                                    const ServerCapabilities& caps);

// The canonical PT for a (non-rtx) codec, for PT rewriting by the SFU.
std::optional<int> canonicalPayloadType(const Codec& codec);

struct PayloadTypeMapping {
  int from;  // the publisher's PT
  int to;    // the canonical PT
};
// For a publisher's negotiated codec list (codecs and their rtx): every PT that has a
// canonical counterpart. An rtx maps to the rtx PT of its apt codec's canonical codec.
std::vector<PayloadTypeMapping> canonicalPayloadTypeMap(const std::vector<Codec>& codecs);

// Codec entries (with canonical PTs, including rtx) to put in an OutgoingTrack for one
// negotiated publisher codec. Empty if the codec has no canonical counterpart.
std::vector<Codec> canonicalCodecsFor(const Codec& publisherCodec);

}  // namespace medrtc::sdp
