#include "compliance/subject_keys.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/random.hpp"
#include "compliance/sha256.hpp"

namespace medrtc::compliance {

namespace {

void writeAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      throw std::runtime_error("subject key store: write failed");
    }
    off += static_cast<size_t>(n);
  }
}

void syncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

int64_t toSeconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

FileSubjectKeyStore::FileSubjectKeyStore(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium init failed");
  }
}

std::filesystem::path FileSubjectKeyStore::fileFor(std::string_view subjectId) const {
  Hash h = sha256(subjectId);
  return dir_ / (toHex(std::span<const uint8_t>(h.data(), 16)) + ".key");
}

// File: "v1\n<subject id>\n<base64 key>\n<last used, unix seconds>\n".
std::optional<FileSubjectKeyStore::Entry> FileSubjectKeyStore::load(std::string_view subjectId) {
  std::ifstream in(fileFor(subjectId));
  if (!in) {
    return std::nullopt;
  }
  std::string version, id, key64, last;
  if (!std::getline(in, version) || !std::getline(in, id) || !std::getline(in, key64) || !std::getline(in, last) ||
      version != "v1" || id != subjectId) {
    return std::nullopt;
  }
  std::string key;
  if (!fromBase64(key64, key) || key.size() != 32) {
    return std::nullopt;
  }
  Entry e{};
  std::copy(key.begin(), key.end(), e.key.begin());
  sodium_memzero(key.data(), key.size());
  e.lastUsed = WallTime(std::chrono::seconds(std::stoll(last)));
  return e;
}

bool FileSubjectKeyStore::save(std::string_view subjectId, const Entry& entry, bool durable, bool exclusive) {
  if (subjectId.find('\n') != std::string_view::npos) {
    throw std::invalid_argument("subject id contains a newline");
  }
  std::string text = "v1\n" + std::string(subjectId) + "\n" + toBase64(entry.key) + "\n" +
                     std::to_string(toSeconds(entry.lastUsed)) + "\n";
  auto path = fileFor(subjectId);
  // Unique per write: a shared name let two processes truncate each other's file and the
  // loser's rename fail. Ends in ".tmp", so list() skips it.
  auto tmp = path;
  tmp += "." + randomHex(8) + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("subject key store: cannot write " + tmp.string());
  }
  writeAll(fd, text);
  sodium_memzero(text.data(), text.size());
  if (durable || exclusive) {
    ::fsync(fd);
  }
  ::close(fd);
  bool placed = true;
  if (exclusive) {
    // link() fails with EEXIST where rename() would replace: the first key minted for a
    // subject wins, so two processes never seal with different keys of one subject.
    placed = ::link(tmp.c_str(), path.c_str()) == 0;
    int linkError = errno;
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    if (!placed && linkError != EEXIST) {
      throw std::runtime_error("subject key store: cannot create " + path.string());
    }
  } else {
    std::filesystem::rename(tmp, path);
  }
  if (durable || exclusive) {
    syncDir(dir_);
  }
  return placed;
}

// A cached key whose file is gone was erased by another process (`medrtc admin
// erase-subject` while serve runs) or another instance: forget it too. One stat per use.
void FileSubjectKeyStore::dropIfErasedElsewhere(std::string_view subjectId) {
  auto it = cache_.find(subjectId);
  std::error_code ec;
  if (it != cache_.end() && !std::filesystem::exists(fileFor(subjectId), ec)) {
    sodium_memzero(it->second.key.data(), it->second.key.size());
    cache_.erase(it);
  }
}

SubjectKey FileSubjectKeyStore::useKey(std::string_view subjectId, WallTime now) {
  std::lock_guard lock(mutex_);
  dropIfErasedElsewhere(subjectId);
  auto it = cache_.find(subjectId);
  if (it == cache_.end()) {
    if (auto loaded = load(subjectId)) {
      it = cache_.emplace(std::string(subjectId), *loaded).first;
    }
  }
  if (it == cache_.end()) {
    Entry e{};
    randombytes_buf(e.key.data(), e.key.size());
    e.lastUsed = now;
    // Durable before any event sealed with it can be committed. Another process on this
    // directory (a second node, `medrtc admin` beside serve) may have minted this
    // subject's key since load(): then its key is the one, and ours is never used.
    // (A file that exists but does not read is being erased there: try again.)
    for (int attempt = 0; !save(subjectId, e, true, true); ++attempt) {
      if (auto theirs = load(subjectId)) {
        sodium_memzero(e.key.data(), e.key.size());
        e = *theirs;
        break;
      }
      if (attempt == 2) {
        throw std::runtime_error("subject key store: a key file another process created does not read");
      }
    }
    cache_.emplace(std::string(subjectId), e);
    return e.key;
  }
  // Retention counts from last use; an hour's precision saves a rewrite per event.
  if (now - it->second.lastUsed >= std::chrono::hours(1)) {
    it->second.lastUsed = now;
    save(subjectId, it->second, false);
  }
  return it->second.key;
}

std::optional<SubjectKey> FileSubjectKeyStore::findKey(std::string_view subjectId) {
  std::lock_guard lock(mutex_);
  dropIfErasedElsewhere(subjectId);
  if (auto it = cache_.find(subjectId); it != cache_.end()) {
    return it->second.key;
  }
  auto loaded = load(subjectId);
  if (!loaded) {
    return std::nullopt;
  }
  cache_.emplace(std::string(subjectId), *loaded);
  return loaded->key;
}

bool FileSubjectKeyStore::erase(std::string_view subjectId) {
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(subjectId); it != cache_.end()) {
    sodium_memzero(it->second.key.data(), it->second.key.size());
    cache_.erase(it);
  }
  auto path = fileFor(subjectId);
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return false;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    writeAll(fd, std::string(size, '\0'));
    ::fsync(fd);
    ::close(fd);
  }
  std::filesystem::remove(path, ec);
  syncDir(dir_);
  return true;
}

std::vector<SubjectKeyInfo> FileSubjectKeyStore::list() {
  std::lock_guard lock(mutex_);
  std::vector<SubjectKeyInfo> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() != ".key") {
      continue;
    }
    std::ifstream in(entry.path());
    std::string version, id, key64, last;
    if (std::getline(in, version) && std::getline(in, id) && std::getline(in, key64) && std::getline(in, last) &&
        version == "v1") {
      WallTime lastUsed(std::chrono::seconds(std::stoll(last)));
      if (auto it = cache_.find(id); it != cache_.end()) {
        lastUsed = std::max(lastUsed, it->second.lastUsed);
      }
      out.push_back({id, lastUsed});
    }
  }
  return out;
}

std::string sealText(const SubjectKey& key, std::string_view plaintext) {
  std::string buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(buf.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), nonce, key.data());
  return toBase64(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(buf.data()), buf.size()));
}

std::optional<std::string> openText(const SubjectKey& key, std::string_view sealed) {
  std::string raw;
  if (!fromBase64(sealed, raw) || raw.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  size_t boxLen = raw.size() - crypto_secretbox_NONCEBYTES;
  std::string out(boxLen - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()), nonce + crypto_secretbox_NONCEBYTES,
                                 boxLen, nonce, key.data()) != 0) {
    return std::nullopt;
  }
  return out;
}

}  // namespace medrtc::compliance
