#pragma once
// `serve`'s /metrics settings (docs/operations.md) into the server's options.
#include <filesystem>
#include <string>

#include "app/serve_config.hpp"
#include "signaling/server.hpp"

namespace medrtc::app {

// The bearer token in `file`: its content without surrounding whitespace. Throws
// std::runtime_error when it cannot be read or holds fewer than 16 characters (a short
// token is guessable, and this one guards every figure of the node).
std::string readMetricsToken(const std::filesystem::path& file);

// Sets options.metricsToken and metricsListenHost/Port from the config. Throws on a bad
// file or address.
void applyMetricsConfig(const ServeConfig& config, signaling::ServerOptions& options);

}  // namespace medrtc::app
