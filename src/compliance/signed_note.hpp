#pragma once
// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and the
// transparency-log checkpoint they carry (https://c2sp.org/tlog-checkpoint):
//
//   <origin>\n<tree size>\n<base64 root hash>\n
//   \n
//   — <key name> <base64(key hash[4] || Ed25519 signature[64])>\n
//
// key hash = first 4 bytes of SHA-256(key name || "\n" || 0x01 || public key), where
// 0x01 is the Ed25519 signature-type byte. Key texts follow Go's golang.org/x/mod/sumdb/note:
//   verifier: <name>+<hash hex8>+<base64(0x01 || public key)>
//   signer:   PRIVATE+KEY+<name>+<hash hex8>+<base64(0x01 || seed)>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "compliance/sha256.hpp"

namespace medrtc::compliance {

// A key name is non-empty, has no whitespace and no '+' (signed-note §"Signatures").
bool validKeyName(std::string_view name);

class NoteVerifier {
 public:
  static Result<NoteVerifier, std::string> fromVerifierKey(std::string_view text);
  const std::string& name() const { return name_; }
  uint32_t keyHash() const { return keyHash_; }
  std::string verifierKey() const;
  bool verifySignature(std::string_view text, std::span<const uint8_t> signature) const;

 private:
  friend class NoteSigner;
  std::string name_;
  uint32_t keyHash_ = 0;
  std::array<uint8_t, 32> publicKey_{};
};

class NoteSigner {
 public:
  static Result<NoteSigner, std::string> generate(std::string name);
  static Result<NoteSigner, std::string> fromPrivateKey(std::string_view text);
  std::string privateKey() const;
  const NoteVerifier& verifier() const { return verifier_; }
  // Signs `text` (which must end in '\n') and returns the whole note.
  std::string sign(std::string_view text) const;

 private:
  NoteVerifier verifier_;
  std::array<uint8_t, 64> secretKey_{};  // libsodium layout: seed || public key
};

enum class NoteError {
  Malformed,          // not a note (no blank line, bad signature line, no final newline)
  UnknownKey,         // no signature by the verifier's key name and hash
  BadSignature,       // signature by the right key that does not verify
};

const char* noteErrorName(NoteError e);

// Opens a note: checks a signature by `verifier` and returns the signed text.
Result<std::string, NoteError> openNote(std::string_view note, const NoteVerifier& verifier);

// The log was closed at this size: signed by AuditLog::close() on shutdown, so an event
// found after it was not written by the server (an extension line "closed").
inline constexpr std::string_view kClosedExtension = "closed";

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  bool closed = false;
};

std::string checkpointBody(const Checkpoint& cp);
Result<Checkpoint, std::string> parseCheckpointBody(std::string_view text);

}  // namespace medrtc::compliance
