#include "compliance/audit_writer.hpp"
#include "log/log.hpp"


#include <future>
#include <vector>

#include "compliance/audit_log.hpp"

namespace medrtc::compliance {

AuditWriter::AuditWriter(AuditLog& log, Poster post, AuditWriterOptions options)
    : log_(log), post_(std::move(post)), options_(options) {
  thread_ = std::thread([this] { run(); });
}

AuditWriter::~AuditWriter() { stop(); }

bool AuditWriter::enqueue(Job& job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return false;
    }
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void AuditWriter::record(AuditEvent event) {
  std::promise<void> committed;
  auto future = committed.get_future();
  Job job{std::move(event), nullptr, [&committed](std::exception_ptr failure) {
            if (failure) {
              committed.set_exception(failure);
            } else {
              committed.set_value();
            }
          }};
  if (!enqueue(job)) {
    log_.append(std::move(job.event));  // stopped: see stop()
    return;
  }
  future.get();
}

void AuditWriter::recordLater(AuditEvent event, Completion done) {
  Job job{std::move(event), std::move(done), nullptr};
  if (enqueue(job)) {
    return;
  }
  std::exception_ptr failure;
  try {
    log_.append(std::move(job.event));  // stopped: see stop()
  } catch (...) {
    failure = std::current_exception();
  }
  post_([done = std::move(job.done), failure] { done(failure); });
}

void AuditWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

size_t AuditWriter::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

size_t AuditWriter::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

void AuditWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    bool woken = wake_.wait_for(lock, options_.tickEvery, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stopping_) {
        return;
      }
      if (!woken) {
        lock.unlock();
        try {
          log_.tick();
        } catch (const std::exception& e) {
          log::error("audit_checkpoint_failed", {{"error", e.what()}});
        }
        lock.lock();
      }
      continue;
    }
    // Everything that arrived while the last batch was syncing goes in this one.
    std::deque<Job> batch;
    while (!queue_.empty() && batch.size() < options_.maxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    commit(batch);
    lock.lock();
    ++batches_;
    events_ += batch.size();
  }
}

void AuditWriter::commit(std::deque<Job>& batch) {
  std::vector<AuditEvent> events;
  events.reserve(batch.size());
  for (Job& job : batch) {
    events.push_back(std::move(job.event));
  }
  std::vector<std::exception_ptr> failures;
  try {
    failures = log_.appendBatch(std::move(events));
  } catch (...) {
    failures.assign(batch.size(), std::current_exception());
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    Job& job = batch[i];
    std::exception_ptr failure = i < failures.size() ? failures[i] : nullptr;
    if (job.wake) {
      job.wake(failure);
    } else if (job.done) {
      post_([done = std::move(job.done), failure] { done(failure); });
    }
  }
}

}  // namespace medrtc::compliance
