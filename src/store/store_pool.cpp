#include "store/store_pool.hpp"
#include "log/log.hpp"


#include <algorithm>
#include <exception>

namespace medrtc::store {

StorePool::StorePool(size_t connections, size_t maxQueued, const Opener& open, Poster post)
    : StorePool(connections, maxQueued, ConnectionsOpener([&open] { return Connections{open(), nullptr}; }),
                std::move(post)) {}

StorePool::StorePool(size_t connections, size_t maxQueued, const ConnectionsOpener& open, Poster post)
    : maxQueued_(maxQueued), post_(std::move(post)) {
  connections = std::max<size_t>(connections, 1);
  for (size_t i = 0; i < connections; ++i) {
    connections_.push_back(open());
  }
  hasWebhooks_ = std::all_of(connections_.begin(), connections_.end(),
                             [](const Connections& c) { return c.webhooks != nullptr; });
  // Threads start only once connections_ is complete: each holds a reference into it.
  for (auto& c : connections_) {
    threads_.emplace_back([this, &c] { run(c); });
  }
}

StorePool::~StorePool() { stop(); }

bool StorePool::submit(std::function<void(Store&)> work, std::function<void()> done) {
  return enqueue(Job{[work = std::move(work)](Connections& c) { work(*c.store); }, std::move(done)});
}

bool StorePool::submitWebhooks(std::function<void(WebhookStore&)> work, std::function<void()> done) {
  if (!hasWebhooks_) {
    return false;
  }
  return enqueue(Job{[work = std::move(work)](Connections& c) { work(*c.webhooks); }, std::move(done)});
}

bool StorePool::enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= maxQueued_) {
      return false;
    }
    queue_.push_back(std::move(job));
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
  connections_.clear();
}

void StorePool::run(Connections& connections) {
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
      job.work(connections);
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
