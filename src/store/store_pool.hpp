#pragma once
// Store calls off the control thread (issue 10 item 7, DESIGN.md §2). Each thread owns one
// connection of its own (a Store is not thread-safe): SQLite gets one thread (one writer
// is all SQLite allows anyway, and WAL lets the control thread's connection read beside
// it), PostgreSQL a few. A job runs on some thread with that thread's store, then its
// `done` is posted to the control thread. The queue is bounded: a full one refuses at
// once ("busy, retry"), so a slow database cannot make requests pile up without limit.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace medrtc::store {

class StorePool {
 public:
  // Runs a task on the thread that owns the callers' objects (the control thread).
  using Poster = std::function<void(std::function<void()>)>;
  using Opener = std::function<std::unique_ptr<Store>()>;

  // Opens `connections` stores with `open` (on the calling thread, so a database that
  // cannot be reached fails the start) and starts one thread for each.
  StorePool(size_t connections, size_t maxQueued, const Opener& open, Poster post);
  ~StorePool();
  StorePool(const StorePool&) = delete;
  StorePool& operator=(const StorePool&) = delete;

  // Runs `work` on a pool thread with its store, then posts `done`. `work` catches what
  // it needs to report (an exception escaping it is logged and `done` still runs). False
  // (and neither runs) when `maxQueued` jobs already wait or after stop().
  bool submit(std::function<void(Store&)> work, std::function<void()> done);
  // Drops the jobs that have not started, waits for the running ones (their `done` is
  // still posted) and joins the threads. Idempotent.
  void stop();

 private:
  struct Job {
    std::function<void(Store&)> work;
    std::function<void()> done;
  };
  void run(Store& store);

  size_t maxQueued_;
  Poster post_;
  std::vector<std::unique_ptr<Store>> stores_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace medrtc::store
