#pragma once
// `medrtc serve`: opens the store, builds the media plane and the control plane on one
// io_context, prints "medrtc listening on http://HOST:PORT", and runs until SIGINT/SIGTERM.
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "app/serve_config.hpp"
#include "sfu/media_plane.hpp"
#include "store/store.hpp"

namespace medrtc::app {

// sfu::createMediaPlane in the binary; a fake in tests.
using MediaPlaneFactory =
    std::function<std::unique_ptr<sfu::MediaApi>(const sfu::MediaConfig&, sfu::ControlPoster, sfu::MediaEvents&)>;

// Returns the process exit code. `out` receives the one "listening" line.
int runServe(const ServeConfig& config, const MediaPlaneFactory& makeMedia, std::ostream& out);

// MEDRTC_BOOTSTRAP_API_KEY: registers `key` when the store has no API keys yet; returns
// true if it did. Keys shorter than 16 characters are refused (std::invalid_argument).
bool applyBootstrapKey(store::Store& store, const std::optional<std::string>& key, int64_t now);

}  // namespace medrtc::app
