#pragma once

namespace medrtc::app {

// Parses argv (CLI11) and runs the chosen subcommand; returns the process exit code.
int runCli(int argc, char** argv);

}  // namespace medrtc::app
