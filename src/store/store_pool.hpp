#pragma once
// Store calls off the control thread (issue 10 item 7, DESIGN.md §2). Each thread owns one
// connection of its own (a Store is not thread-safe): SQLite gets one thread (one writer
// is all SQLite allows anyway, and WAL lets the control thread's connection read beside
// it), PostgreSQL a few. A job runs on some thread with that thread's store, then its
// `done` is posted to the control thread. The queue is bounded: a full one refuses at
// once ("busy, retry"), so a slow database cannot make requests pile up without limit.
//
// A thread may also own a WebhookStore (the /api/v1/webhooks routes' tables): a second
// connection to the same database beside its Store, not one object for both. The webhook
// store already is a connection of its own everywhere else (the dispatcher's, and before
// this the control thread's), for SQLite and PostgreSQL alike; folding it into Store would
// make every Store (and its test doubles) implement the webhook tables too, for the price
// of one more idle connection per pool thread.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.hpp"
#include "store/webhook_store.hpp"

namespace medrtc::store {

class StorePool {
 public:
  // Runs a task on the thread that owns the callers' objects (the control thread).
  using Poster = std::function<void(std::function<void()>)>;
  using Opener = std::function<std::unique_ptr<Store>()>;
  // What one thread owns. `webhooks` may be null: the pool then takes no webhook jobs.
  struct Connections {
    std::unique_ptr<Store> store;
    std::unique_ptr<WebhookStore> webhooks;
  };
  using ConnectionsOpener = std::function<Connections()>;

  // Opens `connections` stores with `open` (on the calling thread, so a database that
  // cannot be reached fails the start) and starts one thread for each.
  StorePool(size_t connections, size_t maxQueued, const Opener& open, Poster post);
  // The same with a webhook store beside each thread's store; either all threads have
  // one or none has.
  StorePool(size_t connections, size_t maxQueued, const ConnectionsOpener& open, Poster post);
  ~StorePool();
  StorePool(const StorePool&) = delete;
  StorePool& operator=(const StorePool&) = delete;

  // Runs `work` on a pool thread with its store, then posts `done`. `work` catches what
  // it needs to report (an exception escaping it is logged and `done` still runs). False
  // (and neither runs) when `maxQueued` jobs already wait or after stop().
  bool submit(std::function<void(Store&)> work, std::function<void()> done);
  // The same for work on the thread's webhook store. Only where hasWebhooks().
  bool submitWebhooks(std::function<void(WebhookStore&)> work, std::function<void()> done);
  bool hasWebhooks() const { return hasWebhooks_; }
  // Drops the jobs that have not started, waits for the running ones (their `done` is
  // still posted) and joins the threads. Idempotent.
  void stop();

 private:
  struct Job {
    std::function<void(Connections&)> work;
    std::function<void()> done;
  };
  bool enqueue(Job job);
  void run(Connections& connections);

  size_t maxQueued_;
  Poster post_;
  bool hasWebhooks_ = false;
  std::vector<Connections> connections_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace medrtc::store
