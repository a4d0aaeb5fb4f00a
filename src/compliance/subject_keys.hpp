#pragma once
// Per-subject keys for crypto-shredding (F3): every personal field is sealed with its
// subject's key, so erasing a person is destroying one key. The audit leaf hashes cover
// the ciphertext, so the Merkle tree and its signed checkpoints stay valid after erasure.
//
// The audit log and the store (compliance/store_sealing.hpp) share one file-backed store
// under <data>/audit/subject-keys/, so one erasure shreds a subject everywhere.
#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medrtc::compliance {

using SubjectKey = std::array<uint8_t, 32>;  // crypto_secretbox_KEYBYTES
using WallTime = std::chrono::system_clock::time_point;

struct SubjectKeyInfo {
  std::string subjectId;
  WallTime lastUsed;
};

class SubjectKeyStore {
 public:
  virtual ~SubjectKeyStore() = default;
  // The subject's key, created (durably) when missing; refreshes its last-used time.
  virtual SubjectKey useKey(std::string_view subjectId, WallTime now) = 0;
  // nullopt when the subject never had a key or it was erased.
  virtual std::optional<SubjectKey> findKey(std::string_view subjectId) = 0;
  // Destroys the key; true when one existed.
  virtual bool erase(std::string_view subjectId) = 0;
  virtual std::vector<SubjectKeyInfo> list() = 0;
};

// One file per subject, named by SHA-256 of the id so ids never become paths; mode 0600.
// Erasure overwrites the file, unlinks it and syncs the directory. (On SSDs and
// copy-on-write filesystems overwriting is best effort; see docs/compliance/README.md.)
class FileSubjectKeyStore final : public SubjectKeyStore {
 public:
  explicit FileSubjectKeyStore(std::filesystem::path dir);
  SubjectKey useKey(std::string_view subjectId, WallTime now) override;
  std::optional<SubjectKey> findKey(std::string_view subjectId) override;
  bool erase(std::string_view subjectId) override;
  std::vector<SubjectKeyInfo> list() override;

 private:
  struct Entry {
    SubjectKey key;
    WallTime lastUsed;
  };
  std::filesystem::path fileFor(std::string_view subjectId) const;
  std::optional<Entry> load(std::string_view subjectId);
  // Writes the entry to a file of its own (a unique temporary name: another process may
  // write the same subject), then puts it in place. exclusive: only if no key file exists
  // yet (false: another process created one first; use that one).
  bool save(std::string_view subjectId, const Entry& entry, bool durable, bool exclusive = false);
  void dropIfErasedElsewhere(std::string_view subjectId);

  std::filesystem::path dir_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> cache_;
};

// secretbox (XSalsa20-Poly1305) with a fresh random nonce: base64(nonce || box).
std::string sealText(const SubjectKey& key, std::string_view plaintext);
std::optional<std::string> openText(const SubjectKey& key, std::string_view sealed);

}  // namespace medrtc::compliance
