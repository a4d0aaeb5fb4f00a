#pragma once
// Server secrets kept as files in the data directory (e.g. the join-token signing key).
#include <cstdint>
#include <filesystem>
#include <vector>

namespace medrtc::store {

// Reads `path` (exactly `size` bytes), or creates it with fresh random bytes and mode
// 0600 when it does not exist. Throws std::runtime_error on a wrong size or I/O error:
// a truncated key file must stop the server, not be silently replaced.
std::vector<uint8_t> loadOrCreateSecret(const std::filesystem::path& path, size_t size);

}  // namespace medrtc::store
