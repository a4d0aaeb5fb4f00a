#pragma once
// The on-disk format of <data>/audit/, shared by the writer (AuditLog) and the checker
// (verifyAuditLog):
//
//   events.log       one canonical-JSON line per event: {"event":{…},"index":N,"leaf":"<hex>"}
//                    leaf = SHA-256(0x00 || canonical({"event":{…},"index":N})), RFC 6962 §2.1.
//                    The index sits inside the hashed bytes, so moving a line is detectable.
//   checkpoints.log  C2SP signed notes (tlog-checkpoint bodies), each followed by one blank line.
//   signing.key      the Ed25519 signer key (note key text), mode 0600.
//   signing.pub      its verifier key.
//   subject-keys/    per-subject secretbox keys (crypto-shredding).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "common/result.hpp"
#include "compliance/sha256.hpp"

namespace medrtc::compliance::audit_files {

std::filesystem::path dir(const std::filesystem::path& dataDir);
std::filesystem::path events(const std::filesystem::path& dataDir);
std::filesystem::path checkpoints(const std::filesystem::path& dataDir);
std::filesystem::path signingKey(const std::filesystem::path& dataDir);
std::filesystem::path signingPub(const std::filesystem::path& dataDir);
std::filesystem::path subjectKeys(const std::filesystem::path& dataDir);

}  // namespace medrtc::compliance::audit_files

namespace medrtc::compliance {

// A complete line's bytes, without its '\n'.
std::string encodeEventLine(const boost::json::value& eventJson, uint64_t index, Hash& leafHash);

enum class LineError { NotJson, NotCanonical, MissingFields };

struct DecodedLine {
  uint64_t index = 0;
  Hash storedLeaf{};
  Hash computedLeaf{};  // from the event and index as written
  boost::json::value event;
};

Result<DecodedLine, LineError> decodeEventLine(std::string_view line);

// Splits a file into complete '\n'-terminated lines; a final fragment without '\n' is a
// torn write and is returned separately.
struct SplitLines {
  std::vector<std::string_view> lines;  // without '\n'
  std::string_view tornTail;            // empty when the file ends in '\n'
  uint64_t completeBytes = 0;           // offset just past the last complete line
};
SplitLines splitLines(std::string_view text);

// Splits checkpoints.log into notes. A note is its text lines, a blank line and one or
// more signature lines ("— …"); notes are separated by a blank line. A trailing note cut
// short by a crash is returned as torn.
struct SplitNotes {
  std::vector<std::string> notes;
  bool torn = false;
  uint64_t completeBytes = 0;
};
SplitNotes splitNotes(std::string_view text);

std::string readWholeFile(const std::filesystem::path& path, bool& exists);

}  // namespace medrtc::compliance
