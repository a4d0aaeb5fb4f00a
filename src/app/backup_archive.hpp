#pragma once
// The encrypted container of `medrtc admin backup`: a plaintext header, then the payload
// in authenticated chunks (libsodium secretstream, XChaCha20-Poly1305). The key comes from
// a passphrase through Argon2id (crypto_pwhash, parameters in the header) or straight from
// a 32-byte key file. Every chunk binds the header as additional data, the last chunk
// carries the FINAL tag, so a changed header, a changed, dropped, reordered or appended
// chunk, and a cut-off archive are all refused. docs/operations.md "Backups".
//
//   header  "MEDRTCBK" | version 1 | kdf (1 passphrase, 2 key file) | 2 zero bytes |
//           opslimit u64 | memlimit u64 | salt[16] | key check[16] | secretstream header[24]
//   chunk   ciphertext length u32 | ciphertext (at most 64 KiB of plaintext + 17)
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace medrtc::app {

// The operator's secret: a passphrase (from --passphrase-file) or raw key bytes
// (--key-file). Never from argv: it would show in `ps` and the shell history.
struct BackupSecret {
  enum class Kind : uint8_t { kPassphrase = 1, kKeyFile = 2 };
  Kind kind = Kind::kPassphrase;
  std::string bytes;
};

// Reads --passphrase-file (first line, at least 12 characters) or --key-file (32 raw bytes
// or 64 hex digits); both must be readable by their owner only. Throws std::runtime_error
// with a plain message.
BackupSecret readBackupSecret(const std::string& passphraseFile, const std::string& keyFile);

class ArchiveWriter {
 public:
  // Creates `file` (0600, refuses to overwrite). Throws std::runtime_error.
  ArchiveWriter(const std::filesystem::path& file, const BackupSecret& secret);
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  void write(ByteView data);
  // Pushes the last chunk (FINAL tag) and syncs the file. Throws on I/O errors.
  void finish();

 private:
  void pushChunk(bool final);

  FILE* file_ = nullptr;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::vector<uint8_t> header_;
  std::vector<uint8_t> pending_;
};

class ArchiveReader {
 public:
  // Opens `file` and checks the header and the key. Throws std::runtime_error: "wrong
  // passphrase or key file" when the key check fails, other messages for a file that is
  // no medrtc backup.
  ArchiveReader(const std::filesystem::path& file, const BackupSecret& secret);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // Fills `out` exactly from the authenticated payload; throws std::runtime_error when a
  // chunk does not authenticate or the payload ends first.
  void read(uint8_t* out, size_t n);
  // Throws unless the payload has ended with the FINAL chunk and nothing follows it.
  void expectEnd();
  // Back to the first chunk, for a second pass, without deriving the key again (Argon2id
  // takes about a second on purpose). Throws if the header changed meanwhile.
  void rewind();

 private:
  bool pullChunk();

  FILE* file_ = nullptr;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::array<uint8_t, crypto_secretstream_xchacha20poly1305_KEYBYTES> key_{};
  std::vector<uint8_t> header_;
  std::vector<uint8_t> plain_;
  size_t plainPos_ = 0;
  bool final_ = false;
  size_t chunkIndex_ = 0;
};

}  // namespace medrtc::app
