#pragma once
// One way for a REST handler to reach the database off the control thread (issue 10
// item 7, docs/security.md "What runs off the control thread"): `work` runs on a
// store::StorePool thread with that thread's connection, `then` runs afterwards on the
// control thread with its result and gives the answer, through a DeferredResponse. `work`
// must not touch control-thread state (hub, rooms, services' caches): it reads and writes
// the store and returns values; `then` applies what the hub needs.
//
// Without a pool (unit tests, tools) both run at once on the calling thread with its own
// store, and the answer is immediate. Failures leave through failureResponse, the one
// boundary every route shares: a store failure in either step answers 503
// `store_unavailable`, a full pool 503 `unavailable`.
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "signaling/deferred_response.hpp"
#include "signaling/http_types.hpp"
#include "store/store.hpp"
#include "store/store_pool.hpp"

namespace medrtc::signaling {

// What the log line of a failed request names: the method and the route template.
struct RouteLabel {
  std::string method;
  std::string route;
};

// The problem+json answer for an exception a route let escape: 503 `store_unavailable`
// (store::StoreFailure), 500 `internal` (anything else, a StoreConflict included). Logged.
HttpResponse failureResponse(std::exception_ptr failure, const RouteLabel& label);
// 503 `unavailable`: the pool's queue is full.
HttpResponse busyResponse(const RouteLabel& label);

class StoreJobs {
 public:
  // `local`: the control thread's own connection, used when `pool` is null.
  StoreJobs(store::Store& local, std::shared_ptr<store::StorePool> pool) : local_(local), pool_(std::move(pool)) {}

  bool pooled() const { return pool_ != nullptr; }

  // `inlineWhenFull`: for an undo, which must not be skipped: with the pool's queue full it
  // runs at once on the control thread's connection instead of answering `unavailable`.
  template <class T>
  HttpResponse run(RouteLabel label, std::function<T(store::Store&)> work, std::function<HttpResponse(T&)> then,
                   bool inlineWhenFull = false) {
    store::StorePool* pool = pool_.get();
    return runOn<T, store::Store>(
        std::move(label), std::move(work), std::move(then), inlineWhenFull, local_, pool != nullptr,
        [pool](std::function<void(store::Store&)> w, std::function<void()> d) {
          return pool->submit(std::move(w), std::move(d));
        });
  }

  // The same on the webhook tables (/api/v1/webhooks): the pool thread's WebhookStore, or
  // without a pool that has them the control thread's `localWebhooks`.
  void setLocalWebhooks(store::WebhookStore* local) { localWebhooks_ = local; }
  template <class T>
  HttpResponse runWebhooks(RouteLabel label, std::function<T(store::WebhookStore&)> work,
                           std::function<HttpResponse(T&)> then, bool inlineWhenFull = false) {
    store::StorePool* pool = pool_ && pool_->hasWebhooks() ? pool_.get() : nullptr;
    return runOn<T, store::WebhookStore>(
        std::move(label), std::move(work), std::move(then), inlineWhenFull, *localWebhooks_, pool != nullptr,
        [pool](std::function<void(store::WebhookStore&)> w, std::function<void()> d) {
          return pool->submitWebhooks(std::move(w), std::move(d));
        });
  }

 private:
  // `submit` hands a job to the pool (false: full); used only when `pooled`.
  template <class T, class Connection, class Submit>
  static HttpResponse runOn(RouteLabel label, std::function<T(Connection&)> work, std::function<HttpResponse(T&)> then,
                            bool inlineWhenFull, Connection& local, bool pooled, Submit submit) {
    if (!pooled) {
      try {
        T value = work(local);
        return then(value);
      } catch (...) {
        return failureResponse(std::current_exception(), label);
      }
    }
    struct Outcome {
      std::optional<T> value;
      std::exception_ptr failure;
    };
    auto outcome = std::make_shared<Outcome>();
    auto pending = DeferredResponse::create();
    auto onPool = [outcome, work = std::move(work)](Connection& connection) {
      try {
        outcome->value.emplace(work(connection));
      } catch (...) {
        outcome->failure = std::current_exception();
      }
    };
    auto onControl = [outcome, pending, label, then = std::move(then)]() {
      if (outcome->failure || !outcome->value) {
        pending->answer(failureResponse(outcome->failure, label));
        return;
      }
      try {
        pending->answer(then(*outcome->value));
      } catch (...) {
        pending->answer(failureResponse(std::current_exception(), label));
      }
    };
    if (!submit(onPool, onControl)) {
      if (!inlineWhenFull) {
        return busyResponse(label);
      }
      onPool(local);
      onControl();
    }
    return pending->response();
  }

  store::Store& local_;
  store::WebhookStore* localWebhooks_ = nullptr;
  std::shared_ptr<store::StorePool> pool_;
};

}  // namespace medrtc::signaling
