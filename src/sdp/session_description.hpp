#pragma once
// The unified-plan SDP model (RFC 8866 syntax, RFC 8829 JSEP usage): one SessionDescription
// with one MediaSection per m= line. Fields are typed where the server acts on them;
// everything else is kept verbatim in `otherAttributes` so a parse → serialize round trip
// loses nothing that matters to the peer.
//
// Transport attributes (ice-ufrag, ice-pwd, fingerprint, setup, ice-options) may appear at
// session level and then apply to every media section that lacks them (RFC 8839 §5.4,
// RFC 8122 §5). The parser keeps them where they were written; `resolveTransport()` gives
// the effective values for one media section.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace medrtc::sdp {

enum class Direction { kSendRecv, kSendOnly, kRecvOnly, kInactive };

// RFC 4145 §4 / RFC 5763 §5: who starts the DTLS handshake.
enum class SetupRole { kActpass, kActive, kPassive, kHoldconn };

struct Codec {
  int payloadType = 0;
  std::string name;        // as written ("opus", "VP8", "rtx"); compare case-insensitively
  uint32_t clockRate = 0;
  uint32_t channels = 0;   // 0 when the rtpmap gives none (video); audio default is 1
  std::string fmtp;        // parameters after "a=fmtp:<pt> ", verbatim
  std::vector<std::string> rtcpFeedback;  // "nack", "nack pli", "ccm fir", "transport-cc"
  std::optional<int> rtxFor;              // RFC 4588 §8.6: apt= of an rtx codec

  bool operator==(const Codec&) const = default;
};

// RFC 8285 §8.
struct ExtMap {
  int id = 0;
  std::string uri;
  std::optional<Direction> direction;  // "a=extmap:2/recvonly ..."
  std::string attributes;              // extension attributes after the URI, verbatim

  bool operator==(const ExtMap&) const = default;
};

// RFC 5576 §4.1: the a=ssrc lines of one SSRC, grouped.
struct SsrcInfo {
  uint32_t ssrc = 0;
  std::string cname;
  std::string msid;  // the "msid:" source attribute (Plan B legacy, still sent by Chrome)
  std::vector<std::pair<std::string, std::string>> otherAttributes;  // in order, name → value

  bool operator==(const SsrcInfo&) const = default;
};

// RFC 5576 §4.2: "FID" (RFC 4588 rtx pairing), "SIM" (legacy simulcast), "FEC-FR".
struct SsrcGroup {
  std::string semantics;
  std::vector<uint32_t> ssrcs;

  bool operator==(const SsrcGroup&) const = default;
};

// RFC 8839 §5.1.
struct Candidate {
  std::string foundation;
  uint32_t component = 0;
  std::string transport;  // "udp", "tcp" (as written)
  uint32_t priority = 0;
  std::string address;    // IP literal or an mDNS ".local" name
  uint16_t port = 0;
  std::string type;       // "host", "srflx", "prflx", "relay"

  bool operator==(const Candidate&) const = default;
};

struct CandidateLine {
  std::string value;  // everything after "a=candidate:", verbatim (it is what the peer sent)
  Candidate parsed;

  bool operator==(const CandidateLine&) const = default;
};

// RFC 8122 §5.
struct Fingerprint {
  std::string algorithm;  // lower case: "sha-256"
  std::string value;      // "AB:CD:..." as written

  bool operator==(const Fingerprint&) const = default;
};

// RFC 8851 §4.
struct Rid {
  std::string id;
  std::string direction;  // "send" or "recv"
  std::string params;     // "pt=96;max-width=1280", verbatim

  bool operator==(const Rid&) const = default;
};

// RFC 8853 §5.1: each stream is a list of alternative rids; a leading '~' marks it paused.
struct Simulcast {
  std::vector<std::vector<std::string>> send;
  std::vector<std::vector<std::string>> recv;

  bool operator==(const Simulcast&) const = default;
};

// RFC 5888 §5 (a=group), RFC 8843 for BUNDLE.
struct Group {
  std::string semantics;
  std::vector<std::string> mids;

  bool operator==(const Group&) const = default;
};

struct Connection {
  std::string addressType = "IP4";  // "IP4" or "IP6"
  std::string address = "0.0.0.0";

  bool operator==(const Connection&) const = default;
};

struct MediaSection {
  std::string kind;                 // "audio", "video", "application" (others kept as written)
  uint16_t port = 9;                // 0 = rejected / disabled (RFC 8829 §5.2.2)
  std::string protocol;             // "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP"
  std::vector<std::string> formats; // the m= line's fmt list, verbatim
  std::optional<Connection> connection;
  std::vector<std::string> bandwidths;  // b= values ("AS:2000"), verbatim

  std::string mid;
  std::optional<Direction> direction;  // unset: inherit session level, default sendrecv
  std::string iceUfrag;
  std::string icePwd;
  std::string iceOptions;
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
  bool rtcpMux = false;
  bool rtcpRsize = false;
  bool extmapAllowMixed = false;
  std::vector<CandidateLine> candidates;
  bool endOfCandidates = false;

  std::vector<Codec> codecs;  // RTP only; in m= line order
  std::vector<ExtMap> extensions;
  std::vector<SsrcInfo> ssrcs;  // in order of first appearance
  std::vector<SsrcGroup> ssrcGroups;
  std::optional<std::pair<std::string, std::string>> msid;  // stream id, track id (RFC 8830)
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;

  std::optional<uint16_t> sctpPort;        // RFC 8841 §5
  std::optional<uint64_t> maxMessageSize;  // RFC 8841 §6

  std::vector<std::string> otherAttributes;  // after "a=", verbatim, in order

  bool isRtp() const { return protocol.find("RTP/") != std::string::npos; }
  bool rejected() const { return port == 0; }
  const Codec* findCodec(int payloadType) const;

  bool operator==(const MediaSection&) const = default;
};

struct SessionDescription {
  // o= line (RFC 8866 §5.2).
  std::string originUsername = "-";
  std::string sessionId = "0";  // digits; kept as text because some stacks exceed 64 bits
  uint64_t sessionVersion = 0;
  std::string originAddressType = "IP4";
  std::string originAddress = "127.0.0.1";
  std::string sessionName = "-";
  std::optional<Connection> connection;
  std::vector<std::string> bandwidths;

  bool iceLite = false;  // RFC 8839 §5.3
  std::string iceUfrag;
  std::string icePwd;
  std::string iceOptions;
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
  std::optional<Direction> direction;
  std::vector<Group> groups;
  bool extmapAllowMixed = false;  // RFC 8285 §6
  std::string msidSemantic;       // value after "msid-semantic:", trimmed ("WMS *")
  std::vector<std::string> otherAttributes;

  std::vector<MediaSection> media;

  const Group* bundleGroup() const;  // the first BUNDLE group, if any
  const MediaSection* findMedia(std::string_view mid) const;

  bool operator==(const SessionDescription&) const = default;
};

// The transport attributes in effect for one media section: its own, else the session's.
struct TransportParams {
  std::string iceUfrag;
  std::string icePwd;
  std::vector<Fingerprint> fingerprints;
  std::optional<SetupRole> setup;
  Direction direction = Direction::kSendRecv;

  bool operator==(const TransportParams&) const = default;
};
TransportParams resolveTransport(const SessionDescription& session, const MediaSection& media);

std::string_view toString(Direction direction);
std::string_view toString(SetupRole role);

}  // namespace medrtc::sdp
