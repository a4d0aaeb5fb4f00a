#pragma once
// `medrtc admin ...`: operator commands on the same data directory as `serve`.
#include <filesystem>
#include <iosfwd>
#include <string>

namespace medrtc::app {

// Creates an API key, stores its hash, and prints the key (once) to `out`.
int createApiKeyCommand(const std::filesystem::path& dataDir, const std::string& name, std::ostream& out,
                        std::ostream& err);

}  // namespace medrtc::app
