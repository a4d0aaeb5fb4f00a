#pragma once
#include "app/serve.hpp"

namespace medrtc::app {

// Parses argv (CLI11) and runs the chosen subcommand; returns the process exit code.
// `makeMedia` builds the media plane for `serve` (main.cpp passes sfu::createMediaPlane).
int runCli(int argc, char** argv, const MediaPlaneFactory& makeMedia);

}  // namespace medrtc::app
