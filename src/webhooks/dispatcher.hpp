#pragma once
// Delivers webhook events at least once (docs/operations.md "Webhooks"), off the control
// thread: emit() posts the event to the dispatcher's own thread, which writes one delivery
// per subscribed endpoint into the store's queue, then POSTs due deliveries, signed as
// Standard Webhooks ask, and records each attempt: a 2xx ends it, anything else is
// retried on the RetrySchedule until it is exhausted. A delivery survives a restart in the
// queue; one in flight when the process dies is retried once its lease runs out.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "store/webhook_store.hpp"
#include "webhooks/http_delivery.hpp"
#include "webhooks/retry_schedule.hpp"
#include "webhooks/target_policy.hpp"
#include "webhooks/webhook_sink.hpp"

namespace medrtc::webhooks {

struct DispatcherOptions {
  RetrySchedule retry;
  TargetPolicy targets;
  // The bound per endpoint: pending deliveries beyond it are logged as failed "queue_full".
  int64_t maxPendingPerEndpoint = 10'000;
  size_t maxInFlight = 16;  // POSTs at once, all endpoints together
  std::chrono::milliseconds requestTimeout{10'000};
  // How often the queue is read when nothing woke the dispatcher (retries come due).
  std::chrono::milliseconds pollInterval{1'000};
  // A claimed delivery is not taken again before this (a crash mid-POST).
  std::chrono::milliseconds lease{60'000};
  // Delivered and failed rows stay in the log this long.
  std::chrono::hours logRetention{24 * 7};
};

class WebhookDispatcher final : public WebhookSink {
 public:
  // `store` is used only on the dispatcher's thread from start() on.
  WebhookDispatcher(std::unique_ptr<store::WebhookStore> store, DispatcherOptions options);
  ~WebhookDispatcher() override;
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void start();
  // Writes every event emitted before it into the queue, hands the deliveries in flight
  // back to the queue (due at once), and joins the thread.
  void stop();

  // Thread-safe; never blocks on the store or the network.
  void emit(Event event) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace medrtc::webhooks
