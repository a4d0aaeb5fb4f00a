#pragma once
// A disk for audit tests: AuditLogOptions::syncEvents that counts syncs, can hold one
// until the test lets it go (a slow fsync), and can fail (a dying disk); and a stand-in
// for the control thread's event loop that runs what the AuditWriter posts.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>

namespace medrtc::compliance::testing {

class SyncGate {
 public:
  // For AuditLogOptions::syncEvents; the gate must outlive the log.
  std::function<int(int)> hook() {
    return [this](int fd) {
      std::unique_lock lock(mutex_);
      ++syncs_;
      inside_ = true;
      changed_.notify_all();
      // Bounded, so a test whose code blocks on the held sync fails instead of hanging.
      changed_.wait_for(lock, std::chrono::seconds(60), [this] { return !holding_; });
      inside_ = false;
      if (failing_.count(syncs_) != 0) {
        errno = EIO;
        return -1;
      }
      lock.unlock();
      return ::fdatasync(fd);
    };
  }
  // Later syncs wait in hook() until release().
  void hold() {
    std::lock_guard lock(mutex_);
    holding_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    holding_ = false;
    changed_.notify_all();
  }
  // The `n`th sync (counting from 1) fails with EIO.
  void failSync(int n) {
    std::lock_guard lock(mutex_);
    failing_.insert(n);
  }
  // Waits (bounded) until a sync is held inside hook(); false on timeout.
  bool waitUntilHeld(std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [this] { return inside_; });
  }
  int syncs() {
    std::lock_guard lock(mutex_);
    return syncs_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool holding_ = false;
  bool inside_ = false;
  std::set<int> failing_;
  int syncs_ = 0;
};

// What the control thread's io_context is to the AuditWriter: posted tasks wait here
// until the test runs them on its own thread.
class PostedTasks {
 public:
  std::function<void(std::function<void()>)> poster() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
      posted_.notify_all();
    };
  }
  // Runs posted tasks until `done()` holds; false when it does not within `limit`.
  bool runUntil(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        if (!posted_.wait_until(lock, deadline, [this] { return !tasks_.empty(); })) {
          return false;
        }
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
    return true;
  }
  size_t pending() {
    std::lock_guard lock(mutex_);
    return tasks_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable posted_;
  std::deque<std::function<void()>> tasks_;
};

}  // namespace medrtc::compliance::testing
