#pragma once
// What one scrape of /metrics shows: the process registry's instruments, the signaling
// hub's live counts and the media workers' figures (docs/operations.md).
#include <vector>

#include "common/metrics.hpp"
#include "sfu/media_api.hpp"
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

// Control thread. `media` may be null (no media plane).
void collectServerMetrics(const SignalingHub& hub, const sfu::MediaApi* media, std::vector<metrics::Family>& out);

}  // namespace medrtc::signaling
