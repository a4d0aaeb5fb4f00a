#include "app/backup_archive.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace medrtc::app {

namespace {

constexpr char kMagic[8] = {'M', 'E', 'D', 'R', 'T', 'C', 'B', 'K'};
constexpr uint8_t kVersion = 1;
constexpr size_t kSaltBytes = crypto_pwhash_SALTBYTES;  // 16
constexpr size_t kKeyCheckBytes = 16;
constexpr size_t kHeaderBytes =
    8 + 1 + 1 + 2 + 8 + 8 + kSaltBytes + kKeyCheckBytes + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kChunkPlainBytes = 64 * 1024;
constexpr size_t kChunkCipherMax = kChunkPlainBytes + crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kMinPassphraseLength = 12;
using Key = std::array<uint8_t, crypto_secretstream_xchacha20poly1305_KEYBYTES>;

[[noreturn]] void refuse(const std::string& why) { throw std::runtime_error(why); }

void writeU64(uint8_t* p, uint64_t v) {
  writeU32(p, static_cast<uint32_t>(v >> 32));
  writeU32(p + 4, static_cast<uint32_t>(v));
}

// A secret file is a credential: refuse one that others may read, as for the TURN secret.
std::string readPrivateFile(const std::string& file, const char* flag) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    refuse(std::string(flag) + " " + file + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 0077) != 0) {
    refuse(std::string(flag) + " " + file + " is readable by group or others: chmod 600 it");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The key check lets restore say "wrong passphrase" instead of "damaged archive": a hash
// keyed with the derived key, which reveals nothing about it.
std::array<uint8_t, kKeyCheckBytes> keyCheck(const Key& key) {
  static constexpr char kLabel[] = "medrtc backup v1 key check";
  std::array<uint8_t, kKeyCheckBytes> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const uint8_t*>(kLabel), sizeof kLabel - 1, key.data(),
                     key.size());
  return out;
}

Key deriveKey(const BackupSecret& secret, const uint8_t* salt, uint64_t opslimit, uint64_t memlimit) {
  Key key{};
  if (secret.kind == BackupSecret::Kind::kKeyFile) {
    std::memcpy(key.data(), secret.bytes.data(), key.size());
    return key;
  }
  if (crypto_pwhash(key.data(), key.size(), secret.bytes.data(), secret.bytes.size(), salt, opslimit,
                    static_cast<size_t>(memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    refuse("not enough memory for the passphrase's key derivation (Argon2id, " + std::to_string(memlimit >> 20) +
           " MiB)");
  }
  return key;
}

void initSodium() {
  if (sodium_init() < 0) {
    refuse("libsodium cannot start");
  }
}

}  // namespace

BackupSecret readBackupSecret(const std::string& passphraseFile, const std::string& keyFile) {
  if (passphraseFile.empty() == keyFile.empty()) {
    refuse("give exactly one of --passphrase-file FILE and --key-file FILE");
  }
  BackupSecret secret;
  if (!passphraseFile.empty()) {
    std::string text = readPrivateFile(passphraseFile, "--passphrase-file");
    text = text.substr(0, text.find('\n'));
    if (!text.empty() && text.back() == '\r') {
      text.pop_back();
    }
    if (text.size() < kMinPassphraseLength) {
      refuse("the passphrase in " + passphraseFile + " is shorter than " + std::to_string(kMinPassphraseLength) +
             " characters");
    }
    secret.kind = BackupSecret::Kind::kPassphrase;
    secret.bytes = std::move(text);
    return secret;
  }
  std::string raw = readPrivateFile(keyFile, "--key-file");
  secret.kind = BackupSecret::Kind::kKeyFile;
  if (raw.size() == Key().size()) {
    secret.bytes = raw;
    return secret;
  }
  // 64 hex digits (`openssl rand -hex 32 > backup.key`), a newline allowed.
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) {
    raw.pop_back();
  }
  secret.bytes.resize(Key().size());
  size_t decoded = 0;
  if (raw.size() != 2 * Key().size() ||
      sodium_hex2bin(reinterpret_cast<uint8_t*>(secret.bytes.data()), secret.bytes.size(), raw.data(), raw.size(),
                     nullptr, &decoded, nullptr) != 0 ||
      decoded != Key().size()) {
    refuse("--key-file " + keyFile +
           " holds neither 32 bytes nor 64 hex digits (make one with `openssl rand -hex 32`)");
  }
  return secret;
}

ArchiveWriter::ArchiveWriter(const std::filesystem::path& file, const BackupSecret& secret) {
  initSodium();
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    refuse("cannot create " + file.string() + ": " + std::strerror(errno));
  }
  file_ = ::fdopen(fd, "wb");
  const uint64_t opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
  const uint64_t memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
  header_.assign(kHeaderBytes, 0);
  uint8_t* p = header_.data();
  std::memcpy(p, kMagic, sizeof kMagic);
  p[8] = kVersion;
  p[9] = static_cast<uint8_t>(secret.kind);
  writeU64(p + 12, opslimit);
  writeU64(p + 20, memlimit);
  uint8_t* salt = p + 28;
  randombytes_buf(salt, kSaltBytes);
  Key key = deriveKey(secret, salt, opslimit, memlimit);
  auto check = keyCheck(key);
  std::memcpy(salt + kSaltBytes, check.data(), check.size());
  crypto_secretstream_xchacha20poly1305_init_push(&state_, salt + kSaltBytes + kKeyCheckBytes, key.data());
  sodium_memzero(key.data(), key.size());
  if (std::fwrite(header_.data(), 1, header_.size(), file_) != header_.size()) {
    refuse("cannot write " + file.string() + ": " + std::strerror(errno));
  }
}

ArchiveWriter::~ArchiveWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
  }
}

void ArchiveWriter::write(ByteView data) {
  while (!data.empty()) {
    size_t take = std::min(data.size(), kChunkPlainBytes - pending_.size());
    pending_.insert(pending_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (pending_.size() == kChunkPlainBytes) {
      pushChunk(false);
    }
  }
}

void ArchiveWriter::pushChunk(bool final) {
  std::vector<uint8_t> cipher(pending_.size() + crypto_secretstream_xchacha20poly1305_ABYTES);
  unsigned long long length = 0;
  crypto_secretstream_xchacha20poly1305_push(
      &state_, cipher.data(), &length, pending_.data(), pending_.size(), header_.data(), header_.size(),
      final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  uint8_t prefix[4];
  writeU32(prefix, static_cast<uint32_t>(length));
  if (std::fwrite(prefix, 1, 4, file_) != 4 || std::fwrite(cipher.data(), 1, length, file_) != length) {
    refuse(std::string("cannot write the archive: ") + std::strerror(errno));
  }
  sodium_memzero(pending_.data(), pending_.size());
  pending_.clear();
}

void ArchiveWriter::finish() {
  pushChunk(true);
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
    refuse(std::string("cannot write the archive: ") + std::strerror(errno));
  }
  std::fclose(file_);
  file_ = nullptr;
}

ArchiveReader::ArchiveReader(const std::filesystem::path& file, const BackupSecret& secret) {
  initSodium();
  file_ = std::fopen(file.c_str(), "rb");
  if (file_ == nullptr) {
    refuse("cannot open " + file.string() + ": " + std::strerror(errno));
  }
  header_.resize(kHeaderBytes);
  if (std::fread(header_.data(), 1, header_.size(), file_) != header_.size() ||
      std::memcmp(header_.data(), kMagic, sizeof kMagic) != 0) {
    refuse(file.string() + " is not a medrtc backup");
  }
  const uint8_t* p = header_.data();
  if (p[8] != kVersion) {
    refuse(file.string() + " is a medrtc backup of format " + std::to_string(p[8]) + ", this medrtc reads format 1");
  }
  if (p[9] != static_cast<uint8_t>(secret.kind)) {
    refuse(file.string() + (p[9] == static_cast<uint8_t>(BackupSecret::Kind::kKeyFile)
                                ? " was encrypted with a key file: restore it with --key-file"
                                : " was encrypted with a passphrase: restore it with --passphrase-file"));
  }
  uint64_t opslimit = readU64(p + 12);
  uint64_t memlimit = readU64(p + 20);
  // Bounds, so a forged header cannot make restore spend hours or all memory.
  if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE) {
    refuse(file.string() + " has key-derivation parameters out of range: it was altered");
  }
  const uint8_t* salt = p + 28;
  key_ = deriveKey(secret, salt, opslimit, memlimit);
  auto check = keyCheck(key_);
  bool right = sodium_memcmp(check.data(), salt + kSaltBytes, check.size()) == 0;
  if (right) {
    right =
        crypto_secretstream_xchacha20poly1305_init_pull(&state_, salt + kSaltBytes + kKeyCheckBytes, key_.data()) == 0;
  }
  if (!right) {
    refuse("wrong passphrase or key file for " + file.string() + " (or its header was altered)");
  }
}

ArchiveReader::~ArchiveReader() {
  if (file_ != nullptr) {
    std::fclose(file_);
  }
  sodium_memzero(key_.data(), key_.size());
  sodium_memzero(plain_.data(), plain_.size());
}

void ArchiveReader::rewind() {
  std::vector<uint8_t> again(kHeaderBytes);
  if (std::fseek(file_, 0, SEEK_SET) != 0 || std::fread(again.data(), 1, again.size(), file_) != again.size() ||
      again != header_) {
    refuse("the archive changed while it was read");
  }
  const uint8_t* streamHeader = header_.data() + 28 + kSaltBytes + kKeyCheckBytes;
  crypto_secretstream_xchacha20poly1305_init_pull(&state_, streamHeader, key_.data());
  sodium_memzero(plain_.data(), plain_.size());
  plain_.clear();
  plainPos_ = 0;
  final_ = false;
  chunkIndex_ = 0;
}

bool ArchiveReader::pullChunk() {
  if (final_) {
    return false;
  }
  uint8_t prefix[4];
  if (std::fread(prefix, 1, 4, file_) != 4) {
    refuse("the archive ends before its last chunk: it was cut off");
  }
  uint32_t length = readU32(prefix);
  if (length < crypto_secretstream_xchacha20poly1305_ABYTES || length > kChunkCipherMax) {
    refuse("chunk " + std::to_string(chunkIndex_) + " of the archive has an impossible length: it was altered");
  }
  std::vector<uint8_t> cipher(length);
  if (std::fread(cipher.data(), 1, length, file_) != length) {
    refuse("the archive ends before its last chunk: it was cut off");
  }
  sodium_memzero(plain_.data(), plain_.size());
  plain_.resize(length - crypto_secretstream_xchacha20poly1305_ABYTES);
  unsigned long long plainLength = 0;
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(&state_, plain_.data(), &plainLength, &tag, cipher.data(), length,
                                                 header_.data(), header_.size()) != 0) {
    refuse("chunk " + std::to_string(chunkIndex_) + " of the archive does not authenticate: it was altered or damaged");
  }
  plain_.resize(plainLength);
  plainPos_ = 0;
  final_ = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  ++chunkIndex_;
  return true;
}

void ArchiveReader::read(uint8_t* out, size_t n) {
  while (n > 0) {
    if (plainPos_ == plain_.size() && !pullChunk()) {
      refuse("the archive's content ends early: it was altered");
    }
    size_t take = std::min(n, plain_.size() - plainPos_);
    std::memcpy(out, plain_.data() + plainPos_, take);
    plainPos_ += take;
    out += take;
    n -= take;
  }
}

void ArchiveReader::expectEnd() {
  if (plainPos_ != plain_.size()) {
    refuse("the archive holds data after its end marker: it was altered");
  }
  while (!final_) {
    pullChunk();
    if (!plain_.empty()) {
      refuse("the archive holds data after its end marker: it was altered");
    }
  }
  if (std::fgetc(file_) != EOF) {
    refuse("the archive has bytes after its last chunk: it was altered");
  }
}

}  // namespace medrtc::app
