#pragma once
// Runs one load (issue 6): sets up rooms on the target, starts N consultations of two
// participants spread over the ramp, waits until everyone receives (or the join timeout),
// measures for the duration, stops, and collects every participant's counters.
//
// Threads: the calling thread orchestrates with sleeps; one control thread runs the
// io_context (REST, WebSocket, Janus HTTP); `loops` media threads each run a
// net::EventLoop carrying their share of the participants' PeerConnections.
#include <ostream>

#include "loadgen/load_result.hpp"
#include "loadgen/loadgen_config.hpp"

namespace medrtc::loadgen {

// Throws std::runtime_error when the run cannot start (bad URL or address, the target
// refuses to create rooms). Failures of individual consultations are results, not errors.
LoadResult runLoad(const LoadgenConfig& config, std::ostream& progress);

}  // namespace medrtc::loadgen
