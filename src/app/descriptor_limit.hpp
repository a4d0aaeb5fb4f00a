#pragma once
// RLIMIT_NOFILE at start (issue 10 item 5): services often start with a soft limit of
// 1,024 while the hard limit allows far more; a server raises its own soft limit.
#include <cstddef>

namespace medrtc::app {

// Raises the soft limit to the hard limit (best effort) and returns the soft limit now
// in force.
size_t raiseDescriptorLimit();

// Descriptors kept back from connections for the store, the audit log, logs and the
// TLS/DNS work of a running node, plus per media worker (event loop, wake-up, timers,
// UDP socket).
inline constexpr size_t kReservedDescriptors = 128;
inline constexpr size_t kDescriptorsPerWorker = 8;

// The connection limit the descriptor limit allows: `wanted`, at most `limit` minus the
// reserve for `mediaWorkers` workers, never below a floor that keeps the node usable.
size_t connectionsAllowedBy(size_t limit, size_t wanted, size_t mediaWorkers = 0);

}  // namespace medrtc::app
