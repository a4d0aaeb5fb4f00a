#pragma once
// `medrtc admin backup` and `medrtc admin restore` (docs/operations.md "Backups").
//
// Backup takes a consistent copy while `medrtc serve` runs and writes: the SQLite store
// through SQLite's online backup API (one read transaction, so one point in time), then
// every other file of the data dir (token, store-index, audit signing and per-subject
// keys), then the audit log: checkpoints.log before events.log, so every copied
// checkpoint covers events that are in the copy, each cut at its last whole line (serve
// may be half-way through appending one). The store is copied first: a key that a later
// row needs is created before the row, so the copied keys cover the copied store.
//
// Restore reads the archive twice: the first pass authenticates every chunk and checks
// every path, and only then does the second pass write (folders 0700, files 0600) into a
// data dir that must be new or empty. If the archive changes between the passes, what was
// written is removed again.
#include <filesystem>
#include <iosfwd>

#include "app/backup_archive.hpp"

namespace medrtc::app {

struct BackupSummary {
  size_t files = 0;
  uint64_t bytes = 0;
  bool sqliteStore = false;  // false: no medrtc.db (the store is in PostgreSQL)
};

// Throws std::runtime_error with a plain message; `out` need not exist yet and is never
// overwritten (the archive is written beside it and renamed when complete).
BackupSummary backupDataDir(const std::filesystem::path& dataDir, const std::filesystem::path& out,
                            const BackupSecret& secret);

BackupSummary restoreDataDir(const std::filesystem::path& in, const std::filesystem::path& dataDir,
                             const BackupSecret& secret);

}  // namespace medrtc::app
