#include "store/secret_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "common/random.hpp"

namespace medrtc::store {

namespace {

std::runtime_error ioError(const std::string& what, const std::filesystem::path& path) {
  return std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

std::vector<uint8_t> loadOrCreateSecret(const std::filesystem::path& path, size_t size) {
  std::vector<uint8_t> secret(size);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    std::vector<uint8_t> buf(size + 1);
    ssize_t n = ::read(fd, buf.data(), buf.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(size)) {
      throw std::runtime_error("secret file " + path.string() + " must hold exactly " + std::to_string(size) +
                               " bytes");
    }
    std::copy(buf.begin(), buf.begin() + static_cast<long>(size), secret.begin());
    return secret;
  }
  if (errno != ENOENT) {
    throw ioError("cannot read", path);
  }
  fillRandom(secret);
  // O_EXCL: if two processes race on first start, one fails instead of both writing.
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw ioError("cannot create", path);
  }
  ssize_t n = ::write(fd, secret.data(), secret.size());
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(size) || !synced) {
    ::unlink(path.c_str());
    throw ioError("cannot write", path);
  }
  return secret;
}

}  // namespace medrtc::store
