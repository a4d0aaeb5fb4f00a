#pragma once
// The subscriber connection: the server offers one m-line per remote track and re-offers
// whenever tracks come and go (docs/protocol.md "Media model"); the client answers.
//
// m-line order is stable across offers (RFC 8829 §5.2.2): the caller keeps every track it
// ever offered on this connection in the same position and marks the ones whose publisher
// left `active = false`; those stay as port-0 `a=inactive` m-lines with their mid, so a mid
// is never reused for something else.
//
// With no tracks at all, buildSubscriberOffer returns a description with no m-lines. It is
// valid SDP but a browser cannot set up a transport from it: the caller must not send a
// subscribe_offer until there is at least one track (see `hasActiveMedia`).
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sdp/local_transport.hpp"
#include "sdp/sdp_error.hpp"
#include "sdp/session_description.hpp"

namespace medrtc::sdp {

struct OutgoingTrack {
  std::string mid;
  std::string kind;  // "audio" or "video"
  bool active = true;
  std::string participantId;  // becomes the msid stream id
  std::string trackId;        // becomes the msid track id
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;  // 0 = none
  std::string cname;
  std::vector<Codec> codecs;  // canonical PTs (see canonicalCodecsFor), rtx included
};

// The header extensions the SFU writes itself on a subscriber's hop, for downstream
// bandwidth estimation (docs/bandwidth-estimation.md); 0 leaves one out. The ids are this
// subscriber's: the SFU rewrites every packet's extension block to them.
struct SubscriberExtensions {
  int absSendTimeId = 0;
  int transportCcId = 0;
};
// What the SFU offers every subscriber.
inline constexpr SubscriberExtensions kDefaultSubscriberExtensions{2, 3};

SessionDescription buildSubscriberOffer(const std::vector<OutgoingTrack>& tracks,
                                        const LocalTransport& local, uint64_t sessionVersion,
                                        const SubscriberExtensions& extensions = {});

// True if some m-line is neither rejected nor inactive: only then is the offer worth sending.
bool hasActiveMedia(const SessionDescription& sdp);

struct SubscriberAnswerInfo {
  std::string remoteIceUfrag;
  std::string remoteIcePwd;
  Fingerprint remoteFingerprint;  // sha-256 if present, else the first
  std::vector<std::string> acceptedMids;  // port != 0, in m-line order
  std::vector<std::string> rejectedMids;
  std::vector<std::string> rtxMids;  // accepted m-lines whose answer kept an rtx format
  // The extension ids the answer kept (RFC 8285 §6: an answer echoes the ids it accepts),
  // from the first accepted m-line (BUNDLE shares one id map); 0 when dropped.
  int absSendTimeId = 0;
  int transportCcId = 0;
};

// Checks the client's answer to a subscriber offer. We offered actpass and are always the
// DTLS server, so the answer must say setup:active (RFC 5763 §5); passive is an error.
Result<SubscriberAnswerInfo, SdpError> readSubscriberAnswer(const SessionDescription& answer);

}  // namespace medrtc::sdp
