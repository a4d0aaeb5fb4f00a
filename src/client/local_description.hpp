#pragma once
// The SDP a synthetic client writes (publish offer, subscriber answer) and what it reads
// from the server's descriptions (transport parameters, negotiated payload types and
// header extension ids). Built on the sdp module's model and serializer: the client speaks
// exactly the dialect the server parses.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "client/client_error.hpp"
#include "client/client_transport.hpp"
#include "client/receive_stats.hpp"
#include "common/result.hpp"
#include "sdp/session_description.hpp"

namespace medrtc::client {

// Our RFC 8285 ids in publish offers; the server answers with the subset it supports.
inline constexpr int kMidExtensionId = 1;
inline constexpr int kAbsSendTimeExtensionId = 2;
inline constexpr int kTransportCcExtensionId = 3;
inline constexpr int kRidExtensionId = 4;  // video, simulcast offers only
inline constexpr int kOpusPayloadType = 111;
inline constexpr int kVp8PayloadType = 96;
inline constexpr char kAudioMid[] = "0";
inline constexpr char kVideoMid[] = "1";

struct LocalIce {
  std::string iceUfrag;
  std::string icePwd;
  std::string fingerprintSha256;
  SocketAddress hostCandidate;  // our socket; offered as a host candidate
};

struct PublishOfferParams {
  bool audio = true;
  bool video = true;
  uint32_t audioSsrc = 0;
  uint32_t videoSsrc = 0;
  std::string cname;
  std::string streamId;  // msid stream id
  // RFC 8853 simulcast of the video (lowest first): a=rid send lines, a=simulcast, the RID
  // extension, and no a=ssrc for video (the server binds SSRCs by MID and RID, RFC 8852).
  std::vector<std::string> videoRids;
  std::string sessionId = "1";
  uint64_t sessionVersion = 1;
};

// RFC 8829 §5.2.1 offer: BUNDLE of a sendonly audio (opus/48000/2, PT 111) and a sendonly
// video (VP8/90000, PT 96) m-line, each with mid, msid, a=ssrc cname/msid, extmaps,
// rtcp-mux, rtcp-rsize, our ICE credentials and fingerprint, a=setup:actpass
// (RFC 5763 §5: an offerer must offer actpass).
sdp::SessionDescription buildPublishOffer(const LocalIce& local, const PublishOfferParams& params);

// RFC 3264 §6 answer to a server's subscriber offer: every m-line answered in order with
// the same mid; accepted ones recvonly (inactive if the offer does not send), all offered
// codecs and extensions accepted, rtcp-mux, a=setup:active (we are the DTLS client against
// the always-passive-capable server); rejected ones (port 0) stay rejected. RFC 4588 rtx
// formats only with `acceptRtx`: this client does not unwrap RTX, so by default it answers
// without them and the server resends lost packets on the media stream itself. An m-line
// none of whose codecs this client decodes (`noDecoderFor`: codec names, e.g. "H264") is
// rejected with port 0, as a browser without that decoder does.
sdp::SessionDescription buildSubscriberAnswer(const sdp::SessionDescription& offer, const LocalIce& local,
                                              const std::string& sessionId, uint64_t sessionVersion,
                                              bool acceptRtx = false,
                                              const std::vector<std::string>& noDecoderFor = {});

// The server's transport parameters from its offer or answer: ICE credentials,
// fingerprint (sha-256 preferred) and UDP host candidate of the first accepted m-line, and
// our DTLS role from its a=setup (RFC 5763 §5; RFC 4145 §4: absent means active).
Result<RemoteTransport, ClientError> readRemoteTransport(const sdp::SessionDescription& remote, bool remoteIsOffer);

// What a payload type means on this connection, from the negotiated m-lines.
struct PayloadTypeInfo {
  MediaKind kind = MediaKind::kUnknown;
  uint32_t clockRate = 0;
  bool vp8 = false;
  bool opus = false;
  bool rtx = false;
};
using PayloadTypeTable = std::array<PayloadTypeInfo, 128>;
// Adds every codec of the accepted m-lines of `description` to `table`.
void addPayloadTypes(const sdp::SessionDescription& description, PayloadTypeTable& table);

// The id `uri` was negotiated under in `media`, or 0.
uint8_t extensionId(const sdp::MediaSection& media, std::string_view uri);

}  // namespace medrtc::client
