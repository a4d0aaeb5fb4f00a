#include "store/data_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace medrtc::store {

namespace fs = std::filesystem;

namespace {

constexpr fs::perms kGroupOther = fs::perms::group_all | fs::perms::others_all;

void tighten(const fs::path& path, fs::file_status status, DataDirPermissions& out) {
  if ((status.permissions() & kGroupOther) == fs::perms::none) {
    return;
  }
  std::error_code ec;
  fs::permissions(path, kGroupOther, fs::perm_options::remove, ec);
  (ec ? out.failed : out.tightened).push_back(path);
}

}  // namespace

DataDirPermissions secureDataDir(const fs::path& dir) {
  DataDirPermissions out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    // mkdir(2) with 0700 for every level we create: no window with a wider mode.
    fs::path partial;
    for (const auto& part : dir) {
      partial /= part;
      if (!partial.empty() && !fs::exists(partial, ec) && ::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
        throw std::runtime_error("cannot create " + partial.string() + ": " + std::strerror(errno));
      }
    }
  }
  fs::file_status top = fs::symlink_status(dir, ec);
  if (ec || !fs::is_directory(fs::status(dir, ec))) {
    throw std::runtime_error("data dir " + dir.string() + " is not a directory");
  }
  if (!fs::is_symlink(top)) {
    tighten(dir, top, out);
  }
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::file_status s = it->symlink_status(ec);
    if (ec) {
      break;
    }
    if (fs::is_regular_file(s) || fs::is_directory(s)) {
      tighten(it->path(), s, out);
    }
  }
  return out;
}

void createPrivateFile(const fs::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  if (errno != EEXIST) {
    throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  }
}

}  // namespace medrtc::store
