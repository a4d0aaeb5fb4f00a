#pragma once
// The append-only, tamper-evident audit log in <data>/audit/ (format: audit_format.hpp).
//
// Durability point: append() writes the event's line with one write(2) and fdatasync(2)s
// before it returns, so a returned index survives kill -9 and power loss. appendBatch()
// does the same for many events with one write and one fdatasync (group commit: the
// AuditWriter thread batches what the control thread hands it, audit_writer.hpp). A crash during
// the write can only leave a torn final line without '\n'; open() cuts it off (that event
// was never committed) and records a security-alert event saying so.
//
// Checkpoints (signed tree heads) are written every `checkpointEveryEvents` events, when
// `checkpointEverySeconds` passed at the next append or tick(), and on close(). The one
// close() signs says "closed" (Checkpoint::closed): an event after it was not written by
// this log, so `audit verify` reports it and open() refuses the log. Reopening a closed
// log first signs an ordinary checkpoint at the same size, so a later crash leaves a tail
// that is merely not yet signed. Only one AuditLog may hold a directory at a time (an
// exclusive flock on events.log): a second writer would reuse indices.
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "compliance/audit_sink.hpp"
#include "compliance/merkle_tree.hpp"
#include "compliance/signed_note.hpp"
#include "compliance/subject_keys.hpp"

namespace medrtc::compliance {

class AuditLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AuditLogOptions {
  std::filesystem::path dataDir;
  // Checkpoint origin line and signing key name (C2SP: a schema-less URL-like id).
  std::string origin = "medrtc.local/audit";
  std::string sourceNode = "medrtc";
  // Small enough that `audit verify` locates a rehashed edit to a few events, and that
  // little is unsigned at any moment; each checkpoint costs one signature and one fdatasync.
  uint64_t checkpointEveryEvents = 16;
  std::chrono::seconds checkpointEverySeconds{10};
  // When set, every checkpoint is also appended to this file (an operator-controlled
  // witness, ideally on other storage): `audit verify --witness FILE` then notices a
  // checkpoints.log whose last notes were cut off. A witness that cannot be written fails
  // the append like the log itself (fail closed).
  std::filesystem::path witnessFile;
  const Clock* clock = nullptr;               // default: SystemClock
  // Makes events.log durable: default fdatasync(2). Tests inject a slow or failing one
  // (a dying disk) to see group commit and fail-closed callers at work.
  std::function<int(int fd)> syncEvents;
  std::shared_ptr<SubjectKeyStore> subjectKeys;  // default: FileSubjectKeyStore in audit/subject-keys
};

class AuditLog final : public AuditSink {
 public:
  // Opens or creates the log. Throws AuditLogError when the existing log does not verify
  // (the server must not append to a log it cannot vouch for) or on I/O errors.
  static std::unique_ptr<AuditLog> open(AuditLogOptions options);
  ~AuditLog() override;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(AuditEvent event) override { append(std::move(event)); }
  // Seals personal fields, appends, syncs. Returns the event's index. Throws AuditLogError.
  uint64_t append(AuditEvent event);
  // Appends all of `events` in order with one write and one sync. Returns one entry per
  // event: null when it is committed, else why not. An invalid event (no agent id) fails
  // alone; a failed write or sync fails every event of the batch and cuts events.log back
  // to the last committed line, so the chain and indices stay as they were. If that cut
  // fails too, the log refuses every later append (restart and run `audit verify`).
  std::vector<std::exception_ptr> appendBatch(std::vector<AuditEvent> events);
  // Signs and writes a checkpoint for the current size (no-op when nothing is new).
  void checkpoint();
  // Call from a timer: writes a checkpoint when the interval passed.
  void tick();
  // Signs the closing checkpoint ("closed" at the current size), then closes the files.
  // Idempotent; the destructor calls it.
  void close();

  uint64_t size() const;
  Hash root() const;
  uint64_t lastCheckpointSize() const;
  std::optional<std::vector<Hash>> inclusionProof(uint64_t index, uint64_t treeSize) const;
  std::optional<std::vector<Hash>> consistencyProof(uint64_t oldSize, uint64_t newSize) const;
  std::string verifierKey() const;
  // Set when open() cut a torn final line: the index that line would have had.
  std::optional<uint64_t> repairedTornTail() const { return repairedTornTail_; }

  SubjectKeyStore& subjectKeys() { return *keys_; }
  // Crypto-shredding (F3): destroys the subject's key; the chain still verifies.
  bool eraseSubject(std::string_view subjectId);

 private:
  explicit AuditLog(AuditLogOptions options);
  void loadOrCreateKey();
  void loadEvents();
  void loadCheckpoints();
  std::vector<std::exception_ptr> appendLocked(std::vector<AuditEvent>& events);
  // Validates and seals `event` and returns its line for `index` (leaf hash in `leaf`).
  std::string encodeLocked(AuditEvent& event, uint64_t index, Hash& leaf, WallTime now);
  // After a failed write or sync: cut events.log back to `committedBytes_`.
  void cutBackLocked();
  int syncEvents();
  void checkpointLocked();
  void writeCheckpointLocked(bool closed);
  void lockExclusive();
  void sealPersonal(std::optional<PersonalText>& field, WallTime now);

  AuditLogOptions options_;
  const Clock& clock_;
  std::shared_ptr<SubjectKeyStore> keys_;
  std::optional<NoteSigner> signer_;
  mutable std::mutex mutex_;
  MerkleTree tree_;
  int eventsFd_ = -1;
  uint64_t committedBytes_ = 0;  // events.log up to the last committed line
  std::string unusable_;         // set when a failed batch could not be cut back
  int checkpointsFd_ = -1;
  int witnessFd_ = -1;
  bool lastCheckpointClosed_ = false;
  uint64_t lastCheckpointSize_ = 0;
  Micros lastCheckpointTime_{0};
  std::optional<uint64_t> repairedTornTail_;
  bool closed_ = false;
};

}  // namespace medrtc::compliance
