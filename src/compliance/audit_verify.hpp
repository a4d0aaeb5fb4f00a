#pragma once
// `medrtc audit verify`: recompute every leaf hash from the event bytes, check indices
// are contiguous, rebuild the RFC 6962 tree, check every checkpoint's Ed25519 signature
// and that its root is the tree's root at that size. Reports the first broken index and
// what kind of tampering it looks like.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace medrtc::compliance {

enum class Tamper {
  EditedEvent,       // a line is not its canonical JSON, or its leaf hash does not match
  DeletedEvent,      // an index is missing from the sequence
  ReorderedEvents,   // an index appears out of order (swapped or moved lines)
  TruncatedTail,     // events a checkpoint covers are missing at the end (or a torn line)
  ForgedCheckpoint,  // bad signature, wrong key, or a root that no other evidence supports
  RewrittenLog,      // events re-hashed consistently, but signed checkpoints disagree
  MissingKey,        // checkpoints exist but no verifier key to check them
  AppendedAfterClose,  // events after the checkpoint that closed the log (nothing signed them)
  DeletedCheckpoint,   // the witness holds a checkpoint that checkpoints.log lacks, or an
                       // unsigned tail is longer than a server ever leaves one
};

const char* tamperName(Tamper t);

struct VerifyProblem {
  Tamper kind;
  uint64_t index = 0;                 // first affected event index
  std::optional<uint64_t> checkpoint; // 0-based position in checkpoints.log, when one is involved
  std::string detail;
};

struct VerifyReport {
  bool ok = false;                     // the committed log verifies against every checkpoint
  uint64_t eventCount = 0;             // verified events (the intact prefix)
  uint64_t checkpointCount = 0;        // checkpoints whose signature verified
  uint64_t lastCheckpointSize = 0;
  // The last checkpoint closed the log (a clean shutdown). When it did not, events after
  // it are an unsigned tail: written by a server that is still running or that crashed.
  bool lastCheckpointClosed = false;
  uint64_t witnessCheckpointCount = 0;  // witness checkpoints that verified
  std::string verifierKey;
  // A final line without '\n' not covered by any checkpoint: an uncommitted write cut by
  // a crash. Reported, not a failure: the committed prefix still verifies.
  std::optional<uint64_t> tornTailIndex;
  bool tornCheckpointTail = false;
  std::vector<VerifyProblem> problems;  // problems[0] is the first broken index

  std::optional<uint64_t> firstBrokenIndex() const;
  std::string summary() const;
};

struct VerifyOptions {
  // Pin the verifier key (note key text). Without it the key in audit/signing.pub is
  // used, which proves integrity against anyone who could not also replace that file.
  std::optional<std::string> trustedVerifierKey;
  // The operator's witness copy of the checkpoints (serve --audit-witness FILE): each one
  // must be signed, agree with the events and be in checkpoints.log, and a closing one at
  // its end counts like one in checkpoints.log.
  std::optional<std::filesystem::path> witnessFile;
};

VerifyReport verifyAuditLog(const std::filesystem::path& dataDir, const VerifyOptions& options = {});

// CLI entry for `medrtc audit verify`: prints a human summary. Exit codes:
//   0  the log verifies. A tail after the last checkpoint that is merely not yet signed
//      (the server is running, or stopped without closing the log) is a "warning:" line;
//      one longer than a server leaves unsigned (15 + one write of 256 events) is not
//      merely unsigned: its checkpoints are missing (exit 1).
//   1  tampering found (also: events after the checkpoint that closed the log), or no log.
int runAuditVerify(const std::filesystem::path& dataDir, std::ostream& out, const VerifyOptions& options = {});

}  // namespace medrtc::compliance
