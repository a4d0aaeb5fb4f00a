#pragma once
// The data directory holds the database, the signing and sealing keys and the audit log:
// only the service's own user may read any of it (issue 10 item 10).
#include <filesystem>
#include <vector>

namespace medrtc::store {

struct DataDirPermissions {
  std::vector<std::filesystem::path> tightened;  // had group or other bits; now 0700/0600-style
  std::vector<std::filesystem::path> failed;     // could not be changed (another owner)
};

// Creates `dir` (mode 0700) when missing, and takes the group and other permission bits
// off the directory and everything below it: an older release (or a umask of 022) left
// medrtc.db and its -wal/-shm world-readable. Symbolic links are neither followed nor
// changed. The caller logs what was tightened.
DataDirPermissions secureDataDir(const std::filesystem::path& dir);

// Creates `file` empty with mode 0600 unless it exists. SQLite then keeps the mode for the
// file and gives its -wal and -shm the same, whatever the process umask.
void createPrivateFile(const std::filesystem::path& file);

}  // namespace medrtc::store
