#pragma once
// The typed media model (docs/architecture.md "Typed media model"): what crosses between
// the control side, which parses and writes every SDP (sfu/negotiation.hpp), and the media
// workers, which never see SDP text. Like mediasoup's ORTC layer: a publisher's offer
// becomes PublishParameters (produce(params)); a subscriber's answer becomes a
// SubscribeAnswer (what it accepted, its codecs: consume(producer, caps)); the worker's
// subscribe offers come back as a SubscribeOffer the control side writes out.
//
// This header must not include anything from sdp/: the worker side includes it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medrtc::sfu {

// One codec of a track (RFC 3551 payload format). An RTX codec (RFC 4588) is its own entry
// named "rtx" with `rtxFor` = the payload type it repairs (its apt).
struct RtpCodec {
  int payloadType = 0;
  std::string name;  // "opus", "VP8", "H264", "rtx"; compare case-insensitively
  uint32_t clockRate = 0;
  uint32_t channels = 0;
  std::string fmtp;  // format parameters, verbatim
  std::vector<std::string> rtcpFeedback;  // "nack", "nack pli", "ccm fir", "transport-cc"
  std::optional<int> rtxFor;

  bool operator==(const RtpCodec&) const = default;
};

// A publisher's payload type and the server's (canonical) one it is forwarded under.
struct PayloadTypeMapping {
  int from = 0;
  int to = 0;
};

// The header-extension ids (RFC 8285) a publisher's offer uses; 0: not negotiated.
struct RtpHeaderExtensionIds {
  int mid = 0;
  int rid = 0;
  int repairedRid = 0;
  int transportCc = 0;
  int absSendTime = 0;
  int audioLevel = 0;
};

// One encoding of a track: the only one (SSRCs from a=ssrc, 0 when the offer has none and
// the worker learns it from the first packet carrying the mid), or one simulcast layer
// named by its RID (RFC 8853; its SSRCs bound when its first packet arrives).
struct RtpEncoding {
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;
  std::string rid;
};

// One track a publisher sends (an accepted m-line of its offer).
struct PublishedTrackParameters {
  std::string mid;
  std::string kind;  // "audio" or "video"
  std::string trackId;
  std::vector<RtpCodec> codecs;  // negotiated, the publisher's payload types, rtx included
  // Every negotiated payload type (rtx included) that has a server counterpart.
  std::vector<PayloadTypeMapping> forwardedPayloadTypes;
  // What subscribers are offered for this track: the server's payload types, rtx included.
  std::vector<RtpCodec> forwardedCodecs;
  RtpHeaderExtensionIds extensions;
  std::vector<RtpEncoding> encodings;  // one, or one per RID lowest resolution first
};

struct DtlsFingerprint {
  std::string algorithm;  // "sha-256"
  std::string value;      // "AB:CD:..."
};

// A publisher connection's negotiated offer.
struct PublishParameters {
  DtlsFingerprint remoteFingerprint;
  std::vector<PublishedTrackParameters> tracks;
};

// The server's side of one connection, as a description of it needs it (ICE-lite: every
// candidate is known up front).
struct LocalTransportParameters {
  std::string iceUfrag;
  std::string icePwd;
  std::string fingerprintSha256;
  std::vector<std::string> candidateIps;
  uint16_t candidatePort = 0;
  bool udpCandidates = true;   // off only for a connectivity probe of ICE-TCP alone
  bool tcpCandidates = false;
};

// One m-line of a subscribe offer, in the subscriber connection's stable order.
struct SubscribedTrack {
  std::string mid;
  std::string kind;
  bool active = true;
  std::string participantId;  // the publisher's (the msid stream id and cname)
  std::string trackId;
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;
  std::vector<RtpCodec> codecs;  // server payload types, rtx included
};

// What the worker wants offered to a subscriber; the control side writes the SDP.
struct SubscribeOffer {
  uint32_t version = 0;
  LocalTransportParameters local;  // current: an ICE restart changes it
  std::vector<SubscribedTrack> tracks;
  // The header-extension URIs the subscriber said it can receive (ReceiveCapabilities), or
  // none said: the control side offers only those of the SFU's own that are listed.
  std::optional<std::vector<std::string>> receivableExtensions;
};

// One format a subscriber's browser can decode, as its RTCRtpReceiver.getCapabilities()
// lists it (docs/protocol.md `join.decoders`): kind and name from the mimeType
// ("video/VP8" → "video", "VP8"), RTX as "rtx".
struct DecoderCodec {
  std::string kind;  // "audio" or "video"
  std::string name;  // compare case-insensitively
  uint32_t clockRate = 0;
  uint32_t channels = 0;  // 0: not given (1 for audio, RFC 4566 §6)
  std::string fmtp;       // sdpFmtpLine, verbatim ("" when not given)

  bool operator==(const DecoderCodec&) const = default;
};

// What a subscriber announced at join that it can receive (mediasoup's rtpCapabilities
// given to consume()); checked and bounded on the control side. Without an announcement
// the room learns it from the subscriber's answers (sfu/subscriber_capabilities.hpp).
struct ReceiveCapabilities {
  std::vector<DecoderCodec> codecs;
  std::vector<std::string> headerExtensions;  // URIs

  bool operator==(const ReceiveCapabilities&) const = default;
};

// The subscriber's answer to a SubscribeOffer, read on the control side.
struct SubscribeAnswer {
  DtlsFingerprint remoteFingerprint;
  std::vector<std::string> acceptedMids;
  std::vector<std::string> rtxMids;  // accepted m-lines whose answer kept rtx
  // m-lines the subscriber refused (port 0) although they were offered active: it has no
  // decoder for the codec offered there (sfu/subscriber_capabilities.hpp).
  std::vector<std::string> rejectedMids;
  int absSendTimeId = 0;
  int transportCcId = 0;
};

}  // namespace medrtc::sfu
