#pragma once
// The audit log's own thread (issue 10 item 7, DESIGN.md §2 "audit writer"). Every
// append used to fdatasync on the control thread: a slow disk stalled every request,
// /healthz included, and N events cost N syncs. The control thread now hands events
// here; the thread takes everything queued at once and commits it with one write and one
// fdatasync (group commit, AuditLog::appendBatch), then tells each caller on the control
// thread how its event ended. A fail-closed caller (clinic::Admission) makes its change,
// hands the event over with recordLater, and undoes the change when the completion says
// the event failed: stored and audited, or neither (H6), without blocking the loop.
//
// The log's hash chain, checkpoints and `audit verify` are the AuditLog's, unchanged;
// this thread also signs the periodic checkpoint when no event comes (AuditLog::tick).
// stop() (and the destructor) writes what is queued before it returns.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "compliance/audit_sink.hpp"

namespace medrtc::compliance {

class AuditLog;

struct AuditWriterOptions {
  // A bound on one write (and on how long the first event of a batch waits for the rest).
  size_t maxBatch = 256;
  // How often an idle writer lets the log sign a checkpoint (AuditLog::tick).
  std::chrono::milliseconds tickEvery{2000};
};

class AuditWriter final : public AuditSink {
 public:
  // Runs a task on the thread that owns the callers' objects (the control thread).
  using Poster = std::function<void(std::function<void()>)>;

  AuditWriter(AuditLog& log, Poster post, AuditWriterOptions options = {});
  ~AuditWriter() override;
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Waits for the batch holding `event` (for callers off the control thread, or ones not
  // yet moved to recordLater). Throws the log's error.
  void record(AuditEvent event) override;
  // Queues `event`; `done` is posted when its batch is committed or failed.
  void recordLater(AuditEvent event, Completion done) override;
  // Commits what is queued, then joins the thread. Idempotent. Events handed over later
  // (shutdown: the hub's last refusal summaries) are written on the caller's thread, one
  // sync each: the control loop has stopped, so there is nothing left to block, and
  // nothing is lost before the log's closing checkpoint.
  void stop();

  // For tests and /metrics: batches written and events in them so far.
  size_t batches() const;
  size_t events() const;

 private:
  struct Job {
    AuditEvent event;
    Completion done;                             // posted, for recordLater
    std::function<void(std::exception_ptr)> wake;  // called on this thread, for record
  };
  // Queues `job` (moving from it) unless stopped.
  bool enqueue(Job& job);
  void run();
  void commit(std::deque<Job>& batch);

  AuditLog& log_;
  Poster post_;
  AuditWriterOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  size_t batches_ = 0;
  size_t events_ = 0;
  std::thread thread_;
};

}  // namespace medrtc::compliance
