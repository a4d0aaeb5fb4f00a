#include "compliance/audit_verify.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "compliance/audit_event.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_log.hpp"
#include "compliance/audit_writer.hpp"
#include "compliance/merkle_tree.hpp"
#include "compliance/signed_note.hpp"

namespace medrtc::compliance {

const char* tamperName(Tamper t) {
  switch (t) {
    case Tamper::EditedEvent:
      return "edited event";
    case Tamper::DeletedEvent:
      return "deleted event";
    case Tamper::ReorderedEvents:
      return "reordered events";
    case Tamper::TruncatedTail:
      return "truncated tail";
    case Tamper::ForgedCheckpoint:
      return "forged checkpoint";
    case Tamper::RewrittenLog:
      return "rewritten log";
    case Tamper::MissingKey:
      return "missing verifier key";
    case Tamper::AppendedAfterClose:
      return "events after close";
    case Tamper::DeletedCheckpoint:
      return "deleted checkpoint";
  }
  return "?";
}

std::optional<uint64_t> VerifyReport::firstBrokenIndex() const {
  if (problems.empty()) {
    return std::nullopt;
  }
  return problems.front().index;
}

std::string VerifyReport::summary() const {
  std::ostringstream out;
  if (ok) {
    out << "audit log OK: " << eventCount << " events, " << checkpointCount << " signed checkpoints";
    if (checkpointCount > 0) {
      out << " (last at size " << lastCheckpointSize << ")";
    }
    if (checkpointCount > 0 && lastCheckpointClosed) {
      out << ", closed";
    }
    if (witnessCheckpointCount > 0) {
      out << "; witness: " << witnessCheckpointCount << " checkpoints agree";
    }
    out << "\n";
    if (eventCount > lastCheckpointSize) {
      out << "warning: unsigned tail: " << (eventCount - lastCheckpointSize) << " events after the last checkpoint"
          << " (size " << lastCheckpointSize << ") are not yet signed; the server is running or stopped without"
          << " closing the log (a crash), so they cannot be vouched for yet\n";
    }
  } else {
    const auto& p = problems.front();
    out << "audit log BROKEN: " << tamperName(p.kind) << ", index " << p.index << ": " << p.detail << "\n";
    for (size_t i = 1; i < problems.size(); ++i) {
      out << "  also: " << tamperName(problems[i].kind) << ", index " << problems[i].index << ": "
          << problems[i].detail << "\n";
    }
    out << "verified prefix: " << eventCount << " events\n";
  }
  if (tornTailIndex) {
    out << "warning: truncated tail, index " << *tornTailIndex
        << ": the last line is incomplete (a write cut by a crash; never committed)\n";
  }
  if (tornCheckpointTail) {
    out << "warning: the last checkpoint in checkpoints.log is incomplete (cut by a crash)\n";
  }
  if (!verifierKey.empty()) {
    out << "verifier key: " << verifierKey << "\n";
  }
  return out.str();
}

namespace {

struct EventScan {
  MerkleTree tree;
  std::optional<VerifyProblem> problem;
  std::optional<uint64_t> tornIndex;
};

EventScan scanEvents(const std::string& text) {
  EventScan scan;
  SplitLines split = splitLines(text);
  // Pre-scan the indices so a gap can be told apart from a move.
  std::set<uint64_t> present;
  for (auto line : split.lines) {
    if (auto d = decodeEventLine(line)) {
      present.insert(d->index);
    }
  }
  for (uint64_t p = 0; p < split.lines.size(); ++p) {
    auto d = decodeEventLine(split.lines[p]);
    if (!d) {
      const char* why = d.error() == LineError::NotJson        ? "the line is not valid JSON"
                        : d.error() == LineError::NotCanonical ? "the line is not in canonical form (bytes changed)"
                                                               : "the line lacks event/index/leaf";
      scan.problem = VerifyProblem{Tamper::EditedEvent, p, std::nullopt, why};
      return scan;
    }
    if (d->index != p) {
      if (d->index > p && present.count(p) == 0) {
        scan.problem = VerifyProblem{Tamper::DeletedEvent, p, std::nullopt,
                                     "event " + std::to_string(p) + " is missing; the line in its place has index " +
                                         std::to_string(d->index)};
      } else {
        scan.problem = VerifyProblem{Tamper::ReorderedEvents, p, std::nullopt,
                                     "line " + std::to_string(p) + " holds event " + std::to_string(d->index)};
      }
      return scan;
    }
    if (d->storedLeaf != d->computedLeaf) {
      scan.problem =
          VerifyProblem{Tamper::EditedEvent, p, std::nullopt, "the event's bytes do not match its leaf hash"};
      return scan;
    }
    if (!fromLogJson(d->event)) {
      scan.problem = VerifyProblem{Tamper::EditedEvent, p, std::nullopt, "the event is not a well-formed AuditEvent"};
      return scan;
    }
    scan.tree.appendLeafHash(d->storedLeaf);
  }
  if (!split.tornTail.empty()) {
    scan.tornIndex = split.lines.size();
  }
  return scan;
}

struct SignedCheckpoint {
  uint64_t position;
  Checkpoint cp;
};

// The notes whose signature, origin and order check out; the others become problems.
std::vector<SignedCheckpoint> openCheckpoints(const SplitNotes& notes, const NoteVerifier& verifier,
                                              const std::string& label, std::vector<VerifyProblem>& problems) {
  std::vector<SignedCheckpoint> valid;
  uint64_t previousSize = 0;
  for (uint64_t k = 0; k < notes.notes.size(); ++k) {
    auto body = openNote(notes.notes[k], verifier);
    if (!body) {
      problems.push_back(
          VerifyProblem{Tamper::ForgedCheckpoint, 0, k, label + " #" + std::to_string(k) + ": " + noteErrorName(body.error())});
      continue;
    }
    auto cp = parseCheckpointBody(body.value());
    if (!cp || cp->origin != verifier.name() || cp->size < previousSize) {
      std::string why = !cp ? cp.error()
                        : cp->origin != verifier.name() ? "origin \"" + cp->origin + "\" is not this log's"
                                                        : "tree size goes backwards";
      problems.push_back(
          VerifyProblem{Tamper::ForgedCheckpoint, cp ? cp->size : 0, k, label + " #" + std::to_string(k) + ": " + why});
      continue;
    }
    previousSize = cp->size;
    valid.push_back({k, cp.value()});
  }
  return valid;
}

// A closing checkpoint that is the last one signed: nothing may follow it.
void checkClosedTail(const std::vector<SignedCheckpoint>& valid, uint64_t good, const std::string& label,
                     std::vector<VerifyProblem>& problems) {
  if (valid.empty() || !valid.back().cp.closed || good <= valid.back().cp.size) {
    return;
  }
  const auto& [k, cp] = valid.back();
  problems.push_back(VerifyProblem{Tamper::AppendedAfterClose, cp.size, k,
                                   std::to_string(good - cp.size) + " events follow " + label + " #" +
                                       std::to_string(k) + ", which closed the log at size " +
                                       std::to_string(cp.size) + "; no signature covers them"});
}

// The longest tail a server can leave unsigned: it signs as soon as a write leaves
// `checkpointEveryEvents` events unsigned, and one write holds up to `maxBatch` events, so
// a crash between a write and its checkpoint leaves at most this many. A longer tail had
// checkpoints that were deleted (all of checkpoints.log, say, so that the events could be
// rewritten with recomputed hashes), or was written while signing kept failing: either
// way nothing vouches for it, and `audit verify` must not say the log is OK.
uint64_t longestUnsignedTail() {
  return AuditLogOptions{}.checkpointEveryEvents - 1 + AuditWriterOptions{}.maxBatch;
}

void checkUnsignedTail(const std::vector<SignedCheckpoint>& valid, uint64_t good, uint64_t lastSigned,
                       std::vector<VerifyProblem>& problems) {
  if (!valid.empty() && valid.back().cp.closed) {
    return;  // checkClosedTail's case: events after a closing checkpoint
  }
  if (good <= lastSigned || good - lastSigned <= longestUnsignedTail()) {
    return;
  }
  problems.push_back(VerifyProblem{
      Tamper::DeletedCheckpoint, lastSigned, std::nullopt,
      std::to_string(good - lastSigned) + " events after " +
          (lastSigned == 0 ? std::string("the start of the log") : "the last checkpoint (size " + std::to_string(lastSigned) + ")") +
          " are unsigned; the server signs at least every " + std::to_string(AuditLogOptions{}.checkpointEveryEvents) +
          " events (after a write of up to " + std::to_string(AuditWriterOptions{}.maxBatch) +
          "), so checkpoints that covered them are missing from checkpoints.log (deleted), or signing failed"});
}

// The witness's copy: every checkpoint must agree with the events and be in checkpoints.log.
void checkWitness(const std::filesystem::path& file, const NoteVerifier& verifier, const MerkleTree& tree,
                  const std::vector<SignedCheckpoint>& logged, VerifyReport& report) {
  bool exists = false;
  SplitNotes notes = splitNotes(readWholeFile(file, exists));
  if (!exists) {
    report.problems.push_back(
        VerifyProblem{Tamper::DeletedCheckpoint, 0, std::nullopt, "the witness file " + file.string() + " is missing"});
    return;
  }
  std::vector<SignedCheckpoint> valid = openCheckpoints(notes, verifier, "witness checkpoint", report.problems);
  const uint64_t good = tree.size();
  for (const auto& [k, cp] : valid) {
    std::string which = "witness checkpoint #" + std::to_string(k) + " (size " + std::to_string(cp.size) + ")";
    if (cp.size > good) {
      report.problems.push_back(VerifyProblem{Tamper::TruncatedTail, good, std::nullopt,
                                              which + " covers events that events.log no longer has (it ends at " +
                                                  std::to_string(good) + ")"});
      continue;
    }
    if (tree.rootAt(cp.size) != cp.root) {
      report.problems.push_back(
          VerifyProblem{Tamper::RewrittenLog, 0, std::nullopt, which + " disagrees with events.log"});
      continue;
    }
    bool inLog = std::any_of(logged.begin(), logged.end(), [&](const SignedCheckpoint& l) {
      return l.cp.size == cp.size && l.cp.root == cp.root && l.cp.closed == cp.closed;
    });
    if (!inLog) {
      report.problems.push_back(VerifyProblem{Tamper::DeletedCheckpoint, cp.size, std::nullopt,
                                              which + (cp.closed ? ", closing the log," : "") +
                                                  " is missing from checkpoints.log"});
      continue;
    }
    report.witnessCheckpointCount++;
  }
  checkClosedTail(valid, good, "witness checkpoint", report.problems);
}

}  // namespace

VerifyReport verifyAuditLog(const std::filesystem::path& dataDir, const VerifyOptions& options) {
  VerifyReport report;
  bool exists = false;
  EventScan scan = scanEvents(readWholeFile(audit_files::events(dataDir), exists));
  report.eventCount = scan.tree.size();
  if (scan.problem) {
    report.problems.push_back(*scan.problem);
  }

  std::string cpText = readWholeFile(audit_files::checkpoints(dataDir), exists);
  SplitNotes notes = splitNotes(cpText);
  report.tornCheckpointTail = notes.torn;

  std::string keyText = options.trustedVerifierKey.value_or("");
  if (!options.trustedVerifierKey) {
    keyText = readWholeFile(audit_files::signingPub(dataDir), exists);
  }
  auto verifier = NoteVerifier::fromVerifierKey(keyText);
  if (!verifier) {
    if (!notes.notes.empty()) {
      report.problems.push_back(
          VerifyProblem{Tamper::MissingKey, 0, std::nullopt, "cannot check checkpoints: " + verifier.error()});
    }
  } else {
    report.verifierKey = verifier->verifierKey();
  }

  std::vector<SignedCheckpoint> valid;
  if (verifier) {
    valid = openCheckpoints(notes, *verifier, "checkpoint", report.problems);
  }

  const uint64_t good = scan.tree.size();
  const std::optional<uint64_t> eventProblemAt =
      scan.problem ? std::optional<uint64_t>(scan.problem->index) : std::nullopt;
  uint64_t lastMatching = 0;
  bool tornCovered = false;
  for (size_t i = 0; i < valid.size(); ++i) {
    const auto& [k, cp] = valid[i];
    std::string which = "checkpoint #" + std::to_string(k) + " (size " + std::to_string(cp.size) + ")";
    if (cp.size > good) {
      if (eventProblemAt && *eventProblemAt < cp.size) {
        continue;  // already explained by the event-level problem
      }
      if (scan.tornIndex && *scan.tornIndex < cp.size) {
        tornCovered = true;
      }
      report.problems.push_back(VerifyProblem{Tamper::TruncatedTail, good, k,
                                              which + " covers events that events.log no longer has (it ends at " +
                                                  std::to_string(good) + ")"});
      break;  // later checkpoints only repeat it
    }
    if (scan.tree.rootAt(cp.size) == cp.root) {
      lastMatching = cp.size;
      report.checkpointCount++;
      report.lastCheckpointSize = std::max(report.lastCheckpointSize, cp.size);
      report.lastCheckpointClosed = cp.closed;
      continue;
    }
    // The root differs. If a later signed checkpoint agrees with the events, this one is
    // the odd one out: a forgery. Otherwise the events were rewritten after signing.
    bool laterAgrees = false;
    for (size_t j = i + 1; j < valid.size(); ++j) {
      if (valid[j].cp.size <= good && valid[j].cp.size >= cp.size &&
          scan.tree.rootAt(valid[j].cp.size) == valid[j].cp.root) {
        laterAgrees = true;
        break;
      }
    }
    if (laterAgrees) {
      report.problems.push_back(
          VerifyProblem{Tamper::ForgedCheckpoint, cp.size, k, which + ": root does not match the events"});
    } else {
      report.problems.push_back(VerifyProblem{Tamper::RewrittenLog, lastMatching, k,
                                              which + " disagrees with events.log; the change lies in indices [" +
                                                  std::to_string(lastMatching) + ", " + std::to_string(cp.size) + ")"});
    }
  }

  if (scan.tornIndex) {
    if (tornCovered) {
      // Cut inside committed, signed events: the TruncatedTail problem names the index.
      report.problems.back().index = *scan.tornIndex;
    } else if (!scan.problem) {
      report.tornTailIndex = scan.tornIndex;
    }
  }
  // After the torn-tail fix-up above, which edits the last problem pushed so far.
  checkClosedTail(valid, good, "checkpoint", report.problems);
  if (report.problems.empty()) {
    checkUnsignedTail(valid, good, report.lastCheckpointSize, report.problems);
  }
  if (verifier && options.witnessFile) {
    checkWitness(*options.witnessFile, *verifier, scan.tree, valid, report);
  }
  // Event-level problems first (they carry the first broken event index), then the rest.
  std::stable_sort(report.problems.begin(), report.problems.end(), [](const VerifyProblem& a, const VerifyProblem& b) {
    auto eventLevel = [](Tamper t) {
      return t != Tamper::ForgedCheckpoint && t != Tamper::MissingKey && t != Tamper::DeletedCheckpoint;
    };
    bool aEvent = eventLevel(a.kind);
    bool bEvent = eventLevel(b.kind);
    if (aEvent != bEvent) {
      return aEvent;
    }
    return aEvent && a.index < b.index;
  });
  report.ok = report.problems.empty();
  return report;
}

int runAuditVerify(const std::filesystem::path& dataDir, std::ostream& out, const VerifyOptions& options) {
  if (!std::filesystem::exists(audit_files::dir(dataDir))) {
    out << "no audit log in " << audit_files::dir(dataDir).string() << "\n";
    return 1;
  }
  VerifyReport report = verifyAuditLog(dataDir, options);
  out << report.summary();
  return report.ok ? 0 : 1;
}

}  // namespace medrtc::compliance
