#include "app/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>

#include "compliance/audit_format.hpp"

namespace medrtc::app {

namespace fs = std::filesystem;

namespace {

// The payload: entries, then an end marker. Paths are relative, '/'-separated.
//   'D' u16 length, path                      a folder
//   'F' u16 length, path, u64 size, bytes     a file
//   'E'                                       the end
constexpr uint8_t kDir = 'D';
constexpr uint8_t kFile = 'F';
constexpr uint8_t kEnd = 'E';
constexpr size_t kMaxPathLength = 1024;
constexpr size_t kCopyBlock = 64 * 1024;
const char* const kStoreFile = "medrtc.db";

[[noreturn]] void refuse(const std::string& why) { throw std::runtime_error(why); }

std::string errnoText() { return std::strerror(errno); }

// Closes a descriptor on every path out.
struct Fd {
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int fd;
};

// A folder that is removed with everything in it when this goes out of scope: the
// plaintext copy of the store never outlives the backup.
struct ScratchDir {
  explicit ScratchDir(const fs::path& near) {
    std::string pattern = (near / ".medrtc-backup-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      refuse("cannot create a scratch folder in " + near.string() + ": " + errnoText());
    }
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

// SQLite's online backup API copies the whole database in one read transaction: a
// consistent snapshot even while serve writes (WAL readers never block the writer).
void snapshotSqlite(const fs::path& from, const fs::path& to) {
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> srcGuard(nullptr, sqlite3_close);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> dstGuard(nullptr, sqlite3_close);
  int rc = sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY, nullptr);
  srcGuard.reset(src);
  if (rc != SQLITE_OK) {
    refuse("cannot open " + from.string() + ": " + sqlite3_errstr(rc));
  }
  sqlite3_busy_timeout(src, 5000);
  rc = sqlite3_open_v2(to.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  dstGuard.reset(dst);
  if (rc != SQLITE_OK) {
    refuse("cannot create the store copy: " + std::string(sqlite3_errstr(rc)));
  }
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (backup == nullptr) {
    refuse("cannot copy " + from.string() + ": " + sqlite3_errmsg(dst));
  }
  // -1: every page in one step, so the copy is one point in time. BUSY/LOCKED: a writer
  // is checkpointing; try again shortly.
  for (int attempt = 0;; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_DONE || (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt > 100) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    refuse("cannot copy " + from.string() + ": " + sqlite3_errstr(rc));
  }
}

class PayloadWriter {
 public:
  explicit PayloadWriter(ArchiveWriter& w) : w_(w) {}

  void dir(const std::string& path) {
    putHeader(kDir, path);
    ++summary.files;
  }

  // Streams the first `size` bytes of `file` (which may grow meanwhile). A file gone since
  // the listing is skipped: `admin erase-subject` deletes a subject's key on purpose.
  void file(const std::string& path, const fs::path& file, uint64_t size) {
    Fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.fd < 0 && errno == ENOENT) {
      return;
    }
    if (in.fd < 0) {
      refuse("cannot read " + file.string() + ": " + errnoText());
    }
    putHeader(kFile, path);
    uint8_t n[8];
    writeU32(n, static_cast<uint32_t>(size >> 32));
    writeU32(n + 4, static_cast<uint32_t>(size));
    w_.write(ByteView(n, 8));
    std::vector<uint8_t> block(kCopyBlock);
    uint64_t left = size;
    while (left > 0) {
      ssize_t got = ::read(in.fd, block.data(), static_cast<size_t>(std::min<uint64_t>(left, block.size())));
      if (got <= 0) {
        refuse(file.string() + " shrank while it was copied: try again");
      }
      w_.write(ByteView(block.data(), static_cast<size_t>(got)));
      left -= static_cast<uint64_t>(got);
    }
    ++summary.files;
    summary.bytes += size;
  }

  void end() {
    const uint8_t e = kEnd;
    w_.write(ByteView(&e, 1));
  }

  BackupSummary summary;

 private:
  void putHeader(uint8_t kind, const std::string& path) {
    uint8_t h[3] = {kind, 0, 0};
    writeU16(h + 1, static_cast<uint16_t>(path.size()));
    w_.write(ByteView(h, 3));
    w_.write(ByteView(reinterpret_cast<const uint8_t*>(path.data()), path.size()));
  }

  ArchiveWriter& w_;
};

// The length of `file` up to and including its last newline, looking only at the first
// `size` bytes: an append in progress leaves a partial last line that is not copied.
uint64_t wholeLinesLength(const fs::path& file, uint64_t size) {
  Fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) {
    refuse("cannot read " + file.string() + ": " + errnoText());
  }
  std::vector<char> block(4096);
  uint64_t end = size;
  while (end > 0) {
    uint64_t start = end > block.size() ? end - block.size() : 0;
    ssize_t got = ::pread(in.fd, block.data(), static_cast<size_t>(end - start), static_cast<off_t>(start));
    if (got != static_cast<ssize_t>(end - start)) {
      refuse("cannot read " + file.string() + ": " + errnoText());
    }
    for (uint64_t i = end - start; i > 0; --i) {
      if (block[i - 1] == '\n') {
        return start + i;
      }
    }
    end = start;
  }
  return 0;
}

uint64_t fileSize(const fs::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

bool isStoreFile(const fs::path& relative) {
  std::string name = relative.string();
  return name == kStoreFile || name == std::string(kStoreFile) + "-wal" || name == std::string(kStoreFile) + "-shm" ||
         name == std::string(kStoreFile) + "-journal";
}

// A path from the archive becomes a path under the new data dir only if it cannot leave
// it: relative, no empty, "." or ".." component, no NUL.
bool safeRelativePath(const std::string& path) {
  if (path.empty() || path.size() > kMaxPathLength || path.front() == '/' || path.find('\0') != std::string::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") {
      return false;
    }
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  return true;
}

struct Entry {
  uint8_t kind = kEnd;
  std::string path;
  uint64_t size = 0;
};

Entry readEntry(ArchiveReader& r) {
  Entry e;
  r.read(&e.kind, 1);
  if (e.kind == kEnd) {
    return e;
  }
  if (e.kind != kDir && e.kind != kFile) {
    refuse("the archive holds an unknown entry type");
  }
  uint8_t n[8];
  r.read(n, 2);
  e.path.resize(readU16(n));
  r.read(reinterpret_cast<uint8_t*>(e.path.data()), e.path.size());
  if (!safeRelativePath(e.path)) {
    refuse("the archive holds a path that would leave the data dir: " + e.path);
  }
  if (e.kind == kFile) {
    r.read(n, 8);
    e.size = (uint64_t{readU32(n)} << 32) | readU32(n + 4);
  }
  return e;
}

// Reads `size` content bytes; writes them to `fd` unless it is -1 (the checking pass).
void copyContent(ArchiveReader& r, uint64_t size, int fd, const fs::path& target) {
  std::vector<uint8_t> block(kCopyBlock);
  while (size > 0) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(size, block.size()));
    r.read(block.data(), take);
    if (fd >= 0) {
      size_t done = 0;
      while (done < take) {
        ssize_t n = ::write(fd, block.data() + done, take - done);
        if (n < 0) {
          refuse("cannot write " + target.string() + ": " + errnoText());
        }
        done += static_cast<size_t>(n);
      }
    }
    size -= take;
  }
  sodium_memzero(block.data(), block.size());
}

// The checking pass: every chunk authenticates, every path is safe and unique, the end
// marker and the FINAL chunk are where they must be. Nothing is written.
BackupSummary verifyArchive(ArchiveReader& r) {
  BackupSummary summary;
  std::set<std::string> seen;
  for (Entry e = readEntry(r); e.kind != kEnd; e = readEntry(r)) {
    if (!seen.insert(e.path).second) {
      refuse("the archive names " + e.path + " twice: it was altered");
    }
    copyContent(r, e.size, -1, {});
    ++summary.files;
    summary.bytes += e.size;
    summary.sqliteStore = summary.sqliteStore || e.path == kStoreFile;
  }
  r.expectEnd();
  return summary;
}

bool emptyOrMissing(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return true;
  }
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

void syncPath(const fs::path& p) {
  Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd >= 0) {
    ::fsync(fd.fd);
  }
}

void writeRestored(ArchiveReader& r, const fs::path& dataDir) {
  r.rewind();
  for (Entry e = readEntry(r); e.kind != kEnd; e = readEntry(r)) {
    fs::path target = dataDir / e.path;
    // Folders owner-only whatever the umask, like serve's secureDataDir.
    fs::create_directories(target.parent_path());
    ::chmod(target.parent_path().c_str(), 0700);
    if (e.kind == kDir) {
      fs::create_directories(target);
      ::chmod(target.c_str(), 0700);
      continue;
    }
    Fd out(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.fd < 0) {
      refuse("cannot create " + target.string() + ": " + errnoText());
    }
    ::fchmod(out.fd, 0600);
    copyContent(r, e.size, out.fd, target);
    if (::fsync(out.fd) != 0) {
      refuse("cannot write " + target.string() + ": " + errnoText());
    }
  }
  r.expectEnd();
}

}  // namespace

BackupSummary backupDataDir(const fs::path& dataDir, const fs::path& out, const BackupSecret& secret) {
  if (!fs::is_directory(dataDir)) {
    refuse(dataDir.string() + " is not a folder");
  }
  if (fs::exists(out)) {
    refuse(out.string() + " exists: choose a new file name (a backup never overwrites one)");
  }
  fs::path outDir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  auto inside = fs::weakly_canonical(outDir).lexically_relative(fs::canonical(dataDir));
  if (!inside.empty() && *inside.begin() != "..") {
    refuse("the archive must not go into the data dir it backs up: choose a FILE outside " + dataDir.string());
  }
  ScratchDir scratch(outDir);
  fs::path partial = scratch.path / "archive.partial";
  {
    ArchiveWriter writer(partial, secret);
    PayloadWriter payload(writer);
    // 1. The store, as one snapshot.
    if (fs::exists(dataDir / kStoreFile)) {
      fs::path copy = scratch.path / kStoreFile;
      snapshotSqlite(dataDir / kStoreFile, copy);
      payload.file(kStoreFile, copy, fileSize(copy));
      payload.summary.sqliteStore = true;
    }
    // 2. Keys and everything else, in a stable order.
    const fs::path events = compliance::audit_files::events(dataDir);
    const fs::path checkpoints = compliance::audit_files::checkpoints(dataDir);
    std::vector<fs::directory_entry> entries;
    for (const auto& entry : fs::recursive_directory_iterator(dataDir)) {
      entries.push_back(entry);
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().string() < b.path().string(); });
    for (const auto& entry : entries) {
      fs::path relative = entry.path().lexically_relative(dataDir);
      std::error_code ec;
      if (entry.is_symlink(ec) || isStoreFile(relative) || entry.path() == events || entry.path() == checkpoints) {
        continue;
      }
      if (entry.is_directory(ec)) {
        payload.dir(relative.generic_string());
      } else if (entry.is_regular_file(ec)) {
        payload.file(relative.generic_string(), entry.path(), fileSize(entry.path()));
      }
    }
    // 3. The audit log: checkpoints first, so the events copied after cover them.
    for (const auto& log : {checkpoints, events}) {
      if (fs::exists(log)) {
        payload.file(log.lexically_relative(dataDir).generic_string(), log, wholeLinesLength(log, fileSize(log)));
      }
    }
    payload.end();
    writer.finish();
    BackupSummary summary = payload.summary;
    // RENAME_NOREPLACE: a file that appeared at `out` meanwhile is not overwritten.
    if (::renameat2(AT_FDCWD, partial.c_str(), AT_FDCWD, out.c_str(), RENAME_NOREPLACE) != 0) {
      refuse("cannot move the archive to " + out.string() + ": " + errnoText());
    }
    syncPath(outDir);
    return summary;
  }
}

BackupSummary restoreDataDir(const fs::path& in, const fs::path& dataDir, const BackupSecret& secret) {
  if (!emptyOrMissing(dataDir)) {
    refuse(dataDir.string() + " is not empty: restore only into a new or empty data dir");
  }
  ArchiveReader reader(in, secret);
  BackupSummary summary = verifyArchive(reader);
  bool created = !fs::exists(dataDir);
  if (created) {
    fs::create_directories(dataDir);
  }
  ::chmod(dataDir.c_str(), 0700);
  try {
    writeRestored(reader, dataDir);
  } catch (...) {
    // The archive changed after the checking pass: take back what was written.
    std::error_code ec;
    if (created) {
      fs::remove_all(dataDir, ec);
    } else {
      for (const auto& entry : fs::directory_iterator(dataDir, ec)) {
        fs::remove_all(entry.path(), ec);
      }
    }
    throw;
  }
  syncPath(dataDir);
  return summary;
}

}  // namespace medrtc::app
