#include "clinic/password_workers.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace medrtc::clinic {

PasswordWorkers::PasswordWorkers(size_t threads, size_t maxQueued, Poster post)
    : maxQueued_(maxQueued), post_(std::move(post)) {
  threads = std::max<size_t>(threads, 1);
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

PasswordWorkers::~PasswordWorkers() { stop(); }

bool PasswordWorkers::submit(std::function<void()> work, std::function<void()> done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= maxQueued_) {
      return false;
    }
    queue_.push_back(Job{std::move(work), std::move(done)});
  }
  wake_.notify_one();
  return true;
}

void PasswordWorkers::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) {
      return;
    }
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
}

void PasswordWorkers::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job.work();
    } catch (const std::exception& e) {
      // The work records its own failure for `done`; this only keeps the thread alive.
      log::error("password_worker_failed", {{"error", e.what()}});
    }
    post_(std::move(job.done));
  }
}

}  // namespace medrtc::clinic
