#include "compliance/audit_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "compliance/audit_format.hpp"

namespace medrtc::compliance {

namespace {

[[noreturn]] void ioError(const std::string& what) {
  throw AuditLogError("audit log: " + what + ": " + std::strerror(errno));
}

// Writes everything or throws; a short write leaves a torn tail that open() repairs.
void writeAll(int fd, std::string_view data, const char* what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      ioError(what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void syncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void writeNewFile(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    ioError("cannot create " + path.string());
  }
  writeAll(fd, text, "write key");
  ::fsync(fd);
  ::close(fd);
}

void truncateTo(const std::filesystem::path& path, uint64_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    ioError("cannot cut torn tail of " + path.string());
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

int openAppend(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    ioError("cannot open " + path.string());
  }
  return fd;
}

}  // namespace

AuditLog::AuditLog(AuditLogOptions options)
    : options_(std::move(options)), clock_(options_.clock ? *options_.clock : SystemClock::instance()) {}

std::unique_ptr<AuditLog> AuditLog::open(AuditLogOptions options) {
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  const auto& dataDir = log->options_.dataDir;
  std::filesystem::create_directories(audit_files::dir(dataDir));
  std::filesystem::permissions(audit_files::dir(dataDir), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  log->keys_ = log->options_.subjectKeys
                   ? log->options_.subjectKeys
                   : std::make_shared<FileSubjectKeyStore>(audit_files::subjectKeys(dataDir));
  log->eventsFd_ = openAppend(audit_files::events(dataDir));
  // Before anything is read or repaired: another writer's half-written line is not torn.
  log->lockExclusive();
  log->loadOrCreateKey();
  log->loadEvents();
  log->loadCheckpoints();
  log->checkpointsFd_ = openAppend(audit_files::checkpoints(dataDir));
  if (!log->options_.witnessFile.empty()) {
    log->witnessFd_ = openAppend(log->options_.witnessFile);
  }
  syncDir(audit_files::dir(dataDir));
  log->lastCheckpointTime_ = log->clock_.now();
  if (log->lastCheckpointClosed_ || log->tree_.size() > log->lastCheckpointSize_) {
    // Reopened: an ordinary checkpoint at the closed size says the log is written again,
    // so events after it are an unsigned tail (a crash) rather than an append after close.
    // After a crash it signs the tail the crash left, so no tail outlives a restart and
    // `audit verify`'s bound on an unsigned tail (one crash's worth) holds across crashes.
    std::lock_guard lock(log->mutex_);
    log->writeCheckpointLocked(false);
  }
  if (log->repairedTornTail_) {
    // The cut line was never committed (append had not returned); leave evidence of the
    // crash in the log itself.
    AuditEvent alert;
    alert.type = dicom::securityAlert();
    alert.action = AuditAction::Execute;
    alert.outcome = AuditOutcome::MinorFailure;
    alert.outcomeDesc = "audit log: torn final line removed at index " + std::to_string(*log->repairedTornTail_) +
                        " (uncommitted write interrupted by a crash)";
    alert.agents.push_back({"Device/" + log->options_.sourceNode, "system", false, std::nullopt});
    log->append(std::move(alert));
  }
  return log;
}

AuditLog::~AuditLog() {
  try {
    close();
  } catch (...) {
    // Destructors must not throw; close() explicitly to see the error.
  }
}

void AuditLog::loadOrCreateKey() {
  const auto& dataDir = options_.dataDir;
  bool exists = false;
  std::string keyText = readWholeFile(audit_files::signingKey(dataDir), exists);
  if (!exists) {
    auto signer = NoteSigner::generate(options_.origin);
    if (!signer) {
      throw AuditLogError("audit log: " + signer.error());
    }
    writeNewFile(audit_files::signingKey(dataDir), signer->privateKey() + "\n", 0600);
    signer_ = std::move(signer.value());
  } else {
    auto signer = NoteSigner::fromPrivateKey(keyText);
    if (!signer) {
      throw AuditLogError("audit log: signing.key: " + signer.error());
    }
    signer_ = std::move(signer.value());
  }
  std::string pub = signer_->verifier().verifierKey() + "\n";
  bool pubExists = false;
  std::string storedPub = readWholeFile(audit_files::signingPub(dataDir), pubExists);
  if (!pubExists) {
    // Public, but inside the private data dir like every other file (an auditor gets a
    // copy from the operator); 0600 keeps "everything here is 0600" checkable.
    writeNewFile(audit_files::signingPub(dataDir), pub, 0600);
  } else if (storedPub != pub) {
    throw AuditLogError("audit log: signing.pub does not match signing.key");
  }
}

void AuditLog::loadEvents() {
  auto path = audit_files::events(options_.dataDir);
  bool exists = false;
  std::string text = readWholeFile(path, exists);
  if (!exists) {
    return;
  }
  SplitLines split = splitLines(text);
  for (size_t i = 0; i < split.lines.size(); ++i) {
    auto line = decodeEventLine(split.lines[i]);
    if (!line || line->index != i || line->storedLeaf != line->computedLeaf) {
      throw AuditLogError("audit log: events.log does not verify at index " + std::to_string(i) +
                          "; run `medrtc audit verify` and keep the file as evidence");
    }
    tree_.appendLeafHash(line->computedLeaf);
  }
  committedBytes_ = split.completeBytes;
  if (!split.tornTail.empty()) {
    repairedTornTail_ = split.lines.size();
    truncateTo(path, split.completeBytes);
  }
}

void AuditLog::loadCheckpoints() {
  auto path = audit_files::checkpoints(options_.dataDir);
  bool exists = false;
  std::string text = readWholeFile(path, exists);
  if (!exists) {
    return;
  }
  SplitNotes split = splitNotes(text);
  if (split.torn) {
    truncateTo(path, split.completeBytes);
  }
  if (split.notes.empty()) {
    return;
  }
  auto body = openNote(split.notes.back(), signer_->verifier());
  if (!body) {
    throw AuditLogError(std::string("audit log: last checkpoint: ") + noteErrorName(body.error()));
  }
  auto cp = parseCheckpointBody(body.value());
  if (!cp || cp->size > tree_.size() || tree_.rootAt(cp->size) != cp->root) {
    throw AuditLogError("audit log: the last checkpoint does not match events.log; run `medrtc audit verify`");
  }
  if (cp->closed && tree_.size() > cp->size) {
    throw AuditLogError("audit log: " + std::to_string(tree_.size() - cp->size) +
                        " events follow the checkpoint that closed the log at size " + std::to_string(cp->size) +
                        "; run `medrtc audit verify` and keep the files as evidence");
  }
  lastCheckpointSize_ = cp->size;
  lastCheckpointClosed_ = cp->closed;
}

void AuditLog::sealPersonal(std::optional<PersonalText>& field, WallTime now) {
  if (!field || !field->sealed.empty()) {
    return;
  }
  if (field->subjectId.empty()) {
    throw AuditLogError("audit log: personal field without a subject id");
  }
  SubjectKey key = keys_->useKey(field->subjectId, now);
  field->sealed = sealText(key, field->plaintext);
  field->plaintext.clear();
}

uint64_t AuditLog::append(AuditEvent event) {
  std::lock_guard lock(mutex_);
  std::vector<AuditEvent> one;
  one.push_back(std::move(event));
  auto errors = appendLocked(one);
  if (errors.front()) {
    std::rethrow_exception(errors.front());
  }
  return tree_.size() - 1;
}

std::vector<std::exception_ptr> AuditLog::appendBatch(std::vector<AuditEvent> events) {
  std::lock_guard lock(mutex_);
  return appendLocked(events);
}

int AuditLog::syncEvents() { return options_.syncEvents ? options_.syncEvents(eventsFd_) : ::fdatasync(eventsFd_); }

std::string AuditLog::encodeLocked(AuditEvent& event, uint64_t index, Hash& leaf, WallTime now) {
  if (event.recorded.time_since_epoch().count() == 0) {
    event.recorded = now;
  }
  if (event.sourceNode.empty()) {
    event.sourceNode = options_.sourceNode;
  }
  // H1: every event names who acted by a unique id.
  bool hasWho = false;
  for (auto& a : event.agents) {
    hasWho = hasWho || !a.who.empty();
  }
  if (!hasWho) {
    throw AuditLogError("audit log: event without an agent id refused (H1)");
  }
  for (auto& a : event.agents) {
    sealPersonal(a.name, now);
  }
  for (auto& e : event.entities) {
    sealPersonal(e.display, now);
  }
  auto json = toLogJson(event);
  if (!json) {
    throw AuditLogError("audit log: " + json.error());
  }
  std::string line = encodeEventLine(json.value(), index, leaf);
  line.push_back('\n');
  return line;
}

void AuditLog::cutBackLocked() {
  int err = errno;
  if (::ftruncate(eventsFd_, static_cast<off_t>(committedBytes_)) != 0 || syncEvents() != 0) {
    unusable_ = std::string("a failed write could not be cut back: ") + std::strerror(errno);
  }
  errno = err;
}

std::vector<std::exception_ptr> AuditLog::appendLocked(std::vector<AuditEvent>& events) {
  std::vector<std::exception_ptr> errors(events.size());
  if (closed_ || !unusable_.empty()) {
    auto error = std::make_exception_ptr(
        AuditLogError(closed_ ? "audit log: append after close" : "audit log: unusable: " + unusable_));
    std::fill(errors.begin(), errors.end(), error);
    return errors;
  }
  WallTime now = clock_.wallNow();
  std::string lines;
  std::vector<Hash> leaves;
  std::vector<size_t> accepted;
  for (size_t i = 0; i < events.size(); ++i) {
    try {
      Hash leaf{};
      lines += encodeLocked(events[i], tree_.size() + leaves.size(), leaf, now);
      leaves.push_back(leaf);
      accepted.push_back(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  }
  if (accepted.empty()) {
    return errors;
  }
  try {
    writeAll(eventsFd_, lines, "write events.log");
    // The durability point: after this every event of the batch is committed.
    if (syncEvents() != 0) {
      ioError("fdatasync events.log");
    }
  } catch (...) {
    // Nothing of the batch is committed: no line of it may stay in the file, or the next
    // batch would reuse its indices and the chain would not verify.
    cutBackLocked();
    for (size_t i : accepted) {
      errors[i] = std::current_exception();
    }
    return errors;
  }
  committedBytes_ += lines.size();
  for (const Hash& leaf : leaves) {
    tree_.appendLeafHash(leaf);
  }
  if (tree_.size() - lastCheckpointSize_ >= options_.checkpointEveryEvents ||
      clock_.now() - lastCheckpointTime_ >= options_.checkpointEverySeconds) {
    try {
      checkpointLocked();
    } catch (...) {
      // The events are committed; only the signature over them is missing, and the next
      // checkpoint covers them. The caller still hears it (as a single append always did).
      for (size_t i : accepted) {
        errors[i] = std::current_exception();
      }
    }
  }
  return errors;
}

void AuditLog::checkpointLocked() {
  if (closed_ || tree_.size() == lastCheckpointSize_) {
    return;
  }
  writeCheckpointLocked(false);
}

void AuditLog::writeCheckpointLocked(bool closed) {
  Checkpoint cp{options_.origin, tree_.size(), tree_.root(), closed};
  std::string note = signer_->sign(checkpointBody(cp)) + "\n";
  writeAll(checkpointsFd_, note, "write checkpoints.log");
  if (::fdatasync(checkpointsFd_) != 0) {
    ioError("fdatasync checkpoints.log");
  }
  if (witnessFd_ >= 0) {
    writeAll(witnessFd_, note, "write the audit witness file");
    if (::fdatasync(witnessFd_) != 0) {
      ioError("fdatasync the audit witness file");
    }
  }
  lastCheckpointSize_ = cp.size;
  lastCheckpointClosed_ = closed;
  lastCheckpointTime_ = clock_.now();
}

void AuditLog::lockExclusive() {
  // flock, not fcntl locks: it belongs to this open file description, so a second
  // AuditLog on the same directory in this process is refused too.
  if (::flock(eventsFd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(eventsFd_);
    eventsFd_ = -1;
    errno = err;
    if (err == EWOULDBLOCK) {
      throw AuditLogError("audit log: " + audit_files::dir(options_.dataDir).string() +
                          " is in use by another process (a running medrtc serve?)");
    }
    ioError("cannot lock events.log");
  }
}

void AuditLog::checkpoint() {
  std::lock_guard lock(mutex_);
  checkpointLocked();
}

void AuditLog::tick() {
  std::lock_guard lock(mutex_);
  if (clock_.now() - lastCheckpointTime_ >= options_.checkpointEverySeconds) {
    checkpointLocked();
  }
}

void AuditLog::close() {
  std::lock_guard lock(mutex_);
  if (closed_) {
    return;
  }
  if (checkpointsFd_ >= 0) {  // not when open() failed half-way: nothing was vouched for
    writeCheckpointLocked(true);
  }
  closed_ = true;
  for (int* fd : {&eventsFd_, &checkpointsFd_, &witnessFd_}) {
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
  }
}

uint64_t AuditLog::size() const {
  std::lock_guard lock(mutex_);
  return tree_.size();
}

Hash AuditLog::root() const {
  std::lock_guard lock(mutex_);
  return tree_.root();
}

uint64_t AuditLog::lastCheckpointSize() const {
  std::lock_guard lock(mutex_);
  return lastCheckpointSize_;
}

std::optional<std::vector<Hash>> AuditLog::inclusionProof(uint64_t index, uint64_t treeSize) const {
  std::lock_guard lock(mutex_);
  return tree_.inclusionProof(index, treeSize);
}

std::optional<std::vector<Hash>> AuditLog::consistencyProof(uint64_t oldSize, uint64_t newSize) const {
  std::lock_guard lock(mutex_);
  return tree_.consistencyProof(oldSize, newSize);
}

std::string AuditLog::verifierKey() const { return signer_->verifier().verifierKey(); }

bool AuditLog::eraseSubject(std::string_view subjectId) { return keys_->erase(subjectId); }

}  // namespace medrtc::compliance
