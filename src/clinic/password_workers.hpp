#pragma once
// A few threads for argon2id (issue 10 item 7). A verification costs 64 MiB and ~70 ms;
// on the control thread 300 sign-ins stalled every request, /healthz included, for
// seconds. The threads bound how many hashes run at once (memory) and the queue bounds
// how many wait (a full queue answers "busy" at once instead of growing without limit).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace medrtc::clinic {

class PasswordWorkers {
 public:
  // Runs a task on the thread that owns the callers' objects (the control thread).
  using Poster = std::function<void(std::function<void()>)>;

  PasswordWorkers(size_t threads, size_t maxQueued, Poster post);
  ~PasswordWorkers();
  PasswordWorkers(const PasswordWorkers&) = delete;
  PasswordWorkers& operator=(const PasswordWorkers&) = delete;

  // Runs `work` on a worker thread, then `done` through the poster. False (and neither
  // runs) when `maxQueued` jobs already wait or after stop().
  bool submit(std::function<void()> work, std::function<void()> done);
  // Drops the jobs that have not started, waits for the running ones (their `done` is
  // still posted) and joins the threads. Idempotent.
  void stop();

 private:
  struct Job {
    std::function<void()> work;
    std::function<void()> done;
  };
  void run();

  size_t maxQueued_;
  Poster post_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace medrtc::clinic
