// SignalingHub's handling of the media plane's codec intersection (issue 12 item 1): a
// subscriber whose browser cannot decode a publisher's codec hears why that track is missing.
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

void SignalingHub::onCodecUnsupported(const std::string& roomId, const std::string& participantId,
                                      const std::string& publisherId, const std::string& kind,
                                      const std::string& codec) {
  Connection* c = byParticipant(participantId);
  if (c == nullptr || c->roomId != roomId || (c->state != State::kJoined && c->state != State::kJoining)) {
    return;  // left since: nothing to explain
  }
  // Ids and codec names only: the client shows the publisher's display name itself.
  std::string message = "the " + kind + " of participant " + publisherId + " is sent as " + codec +
                        ", which this browser cannot decode; it is not received";
  if (c->state == State::kJoining) {
    // Announced decoders (join.decoders) rule a track out as the participant is added,
    // before `joined`: the notice follows it (sendPendingCodecNotices).
    c->pendingCodecNotices.push_back(std::move(message));
    return;
  }
  sendError(*c, ErrorCode::kCodecUnsupported, message);
}

void SignalingHub::sendPendingCodecNotices(Connection& c) {
  std::vector<std::string> notices = std::move(c.pendingCodecNotices);
  c.pendingCodecNotices.clear();
  for (const std::string& message : notices) {
    sendError(c, ErrorCode::kCodecUnsupported, message);
  }
}

}  // namespace medrtc::signaling
