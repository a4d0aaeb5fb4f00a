#include "store/store_pool.hpp"
#include "log/log.hpp"


#include <algorithm>
#include <exception>

namespace medrtc::store {

StorePool::StorePool(size_t connections, size_t maxQueued, const Opener& open, Poster post)
    : maxQueued_(maxQueued), post_(std::move(post)) {
  connections = std::max<size_t>(connections, 1);
  for (size_t i = 0; i < connections; ++i) {
    stores_.push_back(open());
  }
  for (auto& store : stores_) {
    threads_.emplace_back([this, s = store.get()] { run(*s); });
  }
}

StorePool::~StorePool() { stop(); }

bool StorePool::submit(std::function<void(Store&)> work, std::function<void()> done) {
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

void StorePool::stop() {
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
  stores_.clear();
}

void StorePool::run(Store& store) {
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
      job.work(store);
    } catch (const std::exception& e) {
      // The work records its own failure for `done`; this only keeps the thread alive.
      log::error("store_pool_job_failed", {{"error", e.what()}});
    } catch (...) {
      log::error("store_pool_job_failed");
    }
    post_(std::move(job.done));
  }
}

}  // namespace medrtc::store
