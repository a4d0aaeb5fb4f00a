#pragma once
// The media plane as the control thread sees it. Signaling calls these methods on the
// control thread; every completion and event comes back on the control thread (through
// the `ControlPoster` given at construction), so signaling code never touches a media
// worker's objects or needs a lock.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/metrics.hpp"
#include "sfu/call_quality.hpp"
#include "sfu/rtp_parameters.hpp"

#include "common/result.hpp"

namespace medrtc::sfu {

enum class MediaError {
  kRoomNotFound,
  kParticipantNotFound,
  kSdpInvalid,      // offer/answer unparsable or not negotiable (no BUNDLE, no codec, ...)
  kStaleVersion,    // a subscribe answer for a superseded offer
  kForbidden,       // publishing without the publish grant
  kShuttingDown,
  kInternal,        // the worker failed while handling this participant (contained to it)
  kTransportNotFound,  // restartIce: the ufrag names none of the participant's transports
  kTransportOff,       // openProbe: the candidates asked for are off on this node (--no-ice-tcp)
  kTooManyProbes,      // openProbe: the worker holds its most probes (MediaConfig::maxProbesPerWorker)
};

const char* toString(MediaError e);

// Runs a task on the control thread.
using ControlPoster = std::function<void(std::function<void()>)>;

struct ParticipantGrants {
  bool publish = true;
  bool subscribe = true;
};

// What restartIce did: which of the participant's two connections it restarted and its
// new ICE credentials (mediasoup's iceParameters). The next description of that
// connection carries them: the publish_answer to the client's ICE-restart offer, or the
// subscribe offer the room sends by itself.
struct IceRestart {
  enum class Connection { kPublisher, kSubscriber };
  Connection connection = Connection::kPublisher;
  std::string iceUfrag;
  std::string icePwd;
};

// A connectivity probe's candidates (docs/consultation-api.md "Pre-call check"): the
// server's answer offers only UDP or only passive ICE-TCP host candidates, so the browser
// can tell which of the two its network lets through. A relayed check (TURN) uses kUdp:
// the relay reaches the server over UDP.
enum class ProbeCandidates { kUdp, kTcp };

// Events the media plane raises about one participant. Delivered on the control thread.
class MediaEvents {
 public:
  virtual ~MediaEvents() = default;
  // The subscriber connection needs (re)negotiation: send this offer to the client.
  virtual void onSubscribeOffer(const std::string& roomId, const std::string& participantId, uint32_t version,
                                std::string sdp) = 0;
  // A participant's media transports failed (ICE/DTLS timeout or fatal error).
  virtual void onMediaFailed(const std::string& roomId, const std::string& participantId, std::string reason) = 0;
  // The room's loudest participant changed (sfu/active_speaker.hpp), at most every 300 ms.
  virtual void onActiveSpeaker(const std::string& roomId, const std::string& participantId) {
    (void)roomId;
    (void)participantId;
  }
  // A track of `publisherId` (its `kind`, "audio" or "video") is sent as `codec`, which
  // subscriber `participantId` cannot decode: it is not offered to that subscriber
  // (sfu/subscriber_capabilities.hpp). Signaling tells it: codec_unsupported.
  virtual void onCodecUnsupported(const std::string& roomId, const std::string& participantId,
                                  const std::string& publisherId, const std::string& kind, const std::string& codec) {
    (void)roomId;
    (void)participantId;
    (void)publisherId;
    (void)kind;
    (void)codec;
  }
  // Every participant's call-quality figures (sfu/call_quality.hpp), every 5 s per room.
  virtual void onQualityReport(const std::string& roomId, std::vector<ParticipantQuality> figures) {
    (void)roomId;
    (void)figures;
  }
};

class MediaApi {
 public:
  virtual ~MediaApi() = default;

  template <typename T>
  using Done = std::function<void(Result<T, MediaError>)>;

  // Creates the room on a worker if it does not exist yet (idempotent).
  virtual void openRoom(const std::string& roomId) = 0;
  // Ends the room: every transport closes. Idempotent.
  virtual void closeRoom(const std::string& roomId) = 0;

  // Adds a participant with its two transports. Subscriber offers for the room's existing
  // tracks follow as MediaEvents::onSubscribeOffer. `decoders`: what the client announced it
  // can receive (join.decoders, already checked); its offers carry only those codecs and
  // header extensions. Without: as today, learnt from its answers.
  virtual void addParticipant(const std::string& roomId, const std::string& participantId, ParticipantGrants grants,
                              std::optional<ReceiveCapabilities> decoders, Done<Ok> done) = 0;
  virtual void removeParticipant(const std::string& roomId, const std::string& participantId) = 0;

  // Applies the publisher connection's offer; answers with the server's SDP answer.
  virtual void publish(const std::string& roomId, const std::string& participantId, std::string offerSdp,
                       Done<std::string> done) = 0;
  // ICE restart of the participant's transport whose current local ufrag is `iceUfrag`
  // (from the server's last description of that connection). DTLS and SRTP are kept. A
  // ufrag of another participant's transport, or an outdated one, is kTransportNotFound
  // and changes nothing. A subscriber restart is followed by a subscribe offer.
  virtual void restartIce(const std::string& roomId, const std::string& participantId, std::string iceUfrag,
                          Done<IceRestart> done) = 0;
  // Applies the client's answer to subscribe offer `version`.
  virtual void answerSubscription(const std::string& roomId, const std::string& participantId, uint32_t version,
                                  std::string answerSdp, Done<Ok> done) = 0;
  // A connectivity probe: one WebRtcTransport (ICE-lite, DTLS, SRTP as in a call) on a
  // worker, in no room, answering `offerSdp` with `candidates` only. It is no participant:
  // no events, no media forwarded; it closes by itself when the peer closes it (DTLS
  // close_notify), fails, or MediaConfig::probeLifetime passes. Answers the SDP answer.
  virtual void openProbe(const std::string& probeId, ProbeCandidates candidates, std::string offerSdp,
                         Done<std::string> done) {
    (void)probeId;
    (void)candidates;
    (void)offerSdp;
    done(fail(MediaError::kTransportOff));  // a plane without probes (test fakes)
  }
  // Appends the media workers' figures for /metrics (docs/operations.md). Control thread.
  virtual void collectMetrics(std::vector<metrics::Family>& out) const { (void)out; }
};

}  // namespace medrtc::sfu
