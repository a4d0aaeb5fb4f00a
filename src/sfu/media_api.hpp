#pragma once
// The media plane as the control thread sees it. Signaling calls these methods on the
// control thread; every completion and event comes back on the control thread (through
// the `ControlPoster` given at construction), so signaling code never touches a media
// worker's objects or needs a lock.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/metrics.hpp"

#include "common/result.hpp"

namespace medrtc::sfu {

enum class MediaError {
  kRoomNotFound,
  kParticipantNotFound,
  kSdpInvalid,      // offer/answer unparsable or not negotiable (no BUNDLE, no codec, ...)
  kStaleVersion,    // a subscribe answer for a superseded offer
  kForbidden,       // publishing without the publish grant
  kShuttingDown,
};

const char* toString(MediaError e);

// Runs a task on the control thread.
using ControlPoster = std::function<void(std::function<void()>)>;

struct ParticipantGrants {
  bool publish = true;
  bool subscribe = true;
};

// Events the media plane raises about one participant. Delivered on the control thread.
class MediaEvents {
 public:
  virtual ~MediaEvents() = default;
  // The subscriber connection needs (re)negotiation: send this offer to the client.
  virtual void onSubscribeOffer(const std::string& roomId, const std::string& participantId, uint32_t version,
                                std::string sdp) = 0;
  // A participant's media transports failed (ICE/DTLS timeout or fatal error).
  virtual void onMediaFailed(const std::string& roomId, const std::string& participantId, std::string reason) = 0;
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
  // tracks follow as MediaEvents::onSubscribeOffer.
  virtual void addParticipant(const std::string& roomId, const std::string& participantId, ParticipantGrants grants,
                              Done<Ok> done) = 0;
  virtual void removeParticipant(const std::string& roomId, const std::string& participantId) = 0;

  // Applies the publisher connection's offer; answers with the server's SDP answer.
  virtual void publish(const std::string& roomId, const std::string& participantId, std::string offerSdp,
                       Done<std::string> done) = 0;
  // Applies the client's answer to subscribe offer `version`.
  virtual void answerSubscription(const std::string& roomId, const std::string& participantId, uint32_t version,
                                  std::string answerSdp, Done<Ok> done) = 0;
  // Appends the media workers' figures for /metrics (docs/operations.md). Control thread.
  virtual void collectMetrics(std::vector<metrics::Family>& out) const { (void)out; }
};

}  // namespace medrtc::sfu
