#include "sfu/media_api.hpp"

namespace medrtc::sfu {

const char* toString(MediaError e) {
  switch (e) {
    case MediaError::kRoomNotFound: return "room_not_found";
    case MediaError::kParticipantNotFound: return "participant_not_found";
    case MediaError::kSdpInvalid: return "sdp_invalid";
    case MediaError::kStaleVersion: return "stale_version";
    case MediaError::kForbidden: return "forbidden";
    case MediaError::kShuttingDown: return "shutting_down";
    case MediaError::kInternal: return "internal";
    case MediaError::kTransportNotFound: return "transport_not_found";
    case MediaError::kTransportOff: return "transport_off";
    case MediaError::kTooManyProbes: return "too_many_probes";
  }
  return "unknown";
}

}  // namespace medrtc::sfu
