#include "webhooks/dispatcher.hpp"
#include "log/log.hpp"


#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

#include "common/random.hpp"
#include "webhooks/signature.hpp"

namespace medrtc::webhooks {

namespace asio = boost::asio;

namespace {

store::UnixMillis nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool subscribed(const store::WebhookEndpointRecord& endpoint, EventType type) {
  return endpoint.events.empty() ||
         std::find(endpoint.events.begin(), endpoint.events.end(), eventTypeName(type)) != endpoint.events.end();
}

}  // namespace

struct WebhookDispatcher::Impl {
  Impl(std::unique_ptr<store::WebhookStore> s, DispatcherOptions o)
      : store(std::move(s)), options(o), tls(asio::ssl::context::tls_client), poll(ioc), work(ioc.get_executor()) {
    tls.set_default_verify_paths();
    tls.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
  }

  // Dispatcher thread from here on.
  void persist(const Event& event);
  void pump();
  void attempt(store::WebhookDeliveryRecord delivery);
  void finished(store::WebhookDeliveryRecord delivery, const DeliveryOutcome& outcome);
  void schedulePoll();
  void prune();

  std::unique_ptr<store::WebhookStore> store;
  DispatcherOptions options;
  asio::io_context ioc{1};
  asio::ssl::context tls;
  asio::steady_timer poll;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::map<std::string, std::shared_ptr<PendingDelivery>> inFlight;  // delivery id → request
  // Endpoints read for each attempt; a deleted endpoint's deliveries are gone with it.
  bool stopping = false;
  store::UnixMillis lastPrune = 0;
};

void WebhookDispatcher::Impl::persist(const Event& event) {
  std::string eventId = "msg_" + randomHex(12);
  try {
    for (const store::WebhookEndpointRecord& endpoint : store->listEndpoints(event.tenantId)) {
      if (!subscribed(endpoint, event.type)) {
        continue;
      }
      store::WebhookDeliveryRecord d;
      d.endpointId = endpoint.id;
      d.tenantId = event.tenantId;
      d.eventId = eventId;
      d.eventType = std::string(eventTypeName(event.type));
      d.payload = eventBody(event, endpoint.includeNames);
      d.status = "pending";
      d.nextAttemptAt = nowMillis();
      d.createdAt = d.nextAttemptAt;
      d.updatedAt = d.nextAttemptAt;
      if (!store->enqueueDelivery(std::move(d), options.maxPendingPerEndpoint)) {
        log::warn("webhook_dropped", {{"code", "queue_full"}, {"endpoint", endpoint.id}, {"event", eventId},
                                      {"type", eventTypeName(event.type)}});
      }
    }
  } catch (const std::exception& e) {
    // The event is lost for this endpoint: the store is down. Loud, because at-least-once
    // holds only from the queue on.
    log::error("webhook_enqueue_failed", {{"event", eventId}, {"type", eventTypeName(event.type)}, {"error", e.what()}});
  }
}

void WebhookDispatcher::Impl::pump() {
  if (stopping || inFlight.size() >= options.maxInFlight) {
    return;
  }
  std::vector<store::WebhookDeliveryRecord> due;
  try {
    due = store->claimDue(nowMillis(), options.lease.count(), options.maxInFlight - inFlight.size());
  } catch (const std::exception& e) {
    log::error("webhook_queue_read_failed", {{"error", e.what()}});
    return;
  }
  for (store::WebhookDeliveryRecord& d : due) {
    attempt(std::move(d));
  }
}

void WebhookDispatcher::Impl::attempt(store::WebhookDeliveryRecord delivery) {
  std::optional<store::WebhookEndpointRecord> endpoint;
  try {
    endpoint = store->findEndpoint(delivery.endpointId);
  } catch (const std::exception& e) {
    log::error("webhook_endpoint_read_failed", {{"endpoint", delivery.endpointId}, {"error", e.what()}});
    return;  // the lease runs out and the delivery comes back
  }
  std::string error;
  std::optional<WebhookUrl> url = endpoint ? parseWebhookUrl(endpoint->url, error) : std::nullopt;
  int64_t timestamp = nowMillis() / 1000;
  std::optional<std::string> signature =
      endpoint ? sign(endpoint->secret, delivery.eventId, timestamp, delivery.payload) : std::nullopt;
  if (!url || !signature) {
    // Stored values this node did not write (an edit in the database): give it up.
    delivery.attempts += 1;
    finished(std::move(delivery), DeliveryOutcome{0, "endpoint_invalid"});
    return;
  }
  HttpPost post{*url,
                {{"webhook-id", delivery.eventId},
                 {"webhook-timestamp", std::to_string(timestamp)},
                 {"webhook-signature", *signature}},
                delivery.payload};
  std::string id = delivery.id;
  inFlight[id] = startPost(ioc, tls, options.targets, std::move(post), options.requestTimeout,
                           [this, delivery = std::move(delivery)](DeliveryOutcome outcome) mutable {
                             inFlight.erase(delivery.id);
                             finished(std::move(delivery), outcome);
                           });
}

void WebhookDispatcher::Impl::finished(store::WebhookDeliveryRecord delivery, const DeliveryOutcome& outcome) {
  store::UnixMillis now = nowMillis();
  delivery.updatedAt = now;
  delivery.lastStatus = outcome.status;
  delivery.lastError = outcome.error;
  if (outcome.error == "cancelled") {
    // Shutdown interrupted it: not a failure of the receiver; due again at the next start.
    delivery.nextAttemptAt = now;
  } else {
    delivery.attempts += 1;
    if (outcome.ok()) {
      delivery.status = "delivered";
    } else if (outcome.error == "endpoint_invalid" || options.retry.exhausted(delivery.attempts)) {
      delivery.status = "failed";
    } else {
      delivery.nextAttemptAt = now + options.retry.randomDelay(delivery.attempts).count();
    }
  }
  if (delivery.status != "pending" || outcome.error != "cancelled") {
    log::info("webhook_attempt", {{"endpoint", delivery.endpointId}, {"event", delivery.eventId},
                                 {"type", delivery.eventType}, {"attempt", delivery.attempts}, {"status", outcome.status},
                                 {"outcome", outcome.ok() ? std::string("delivered") : outcome.error}});
  }
  try {
    store->recordAttempt(delivery);
  } catch (const std::exception& e) {
    // Not recorded: the lease runs out and it is delivered again (at least once).
    log::error("webhook_attempt_not_recorded", {{"delivery", delivery.id}, {"error", e.what()}});
  }
  if (!stopping) {
    pump();
  }
}

void WebhookDispatcher::Impl::prune() {
  store::UnixMillis now = nowMillis();
  if (now - lastPrune < 60 * 60 * 1000) {
    return;
  }
  lastPrune = now;
  try {
    store->pruneDeliveries(now - std::chrono::duration_cast<std::chrono::milliseconds>(options.logRetention).count());
  } catch (const std::exception& e) {
    log::error("webhook_log_prune_failed", {{"error", e.what()}});
  }
}

void WebhookDispatcher::Impl::schedulePoll() {
  poll.expires_after(options.pollInterval);
  poll.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping) {
      return;
    }
    prune();
    pump();
    schedulePoll();
  });
}

WebhookDispatcher::WebhookDispatcher(std::unique_ptr<store::WebhookStore> store, DispatcherOptions options)
    : impl_(std::make_unique<Impl>(std::move(store), options)) {}

WebhookDispatcher::~WebhookDispatcher() { stop(); }

void WebhookDispatcher::start() {
  if (impl_->thread.joinable()) {
    return;
  }
  asio::post(impl_->ioc, [impl = impl_.get()] {
    impl->pump();
    impl->schedulePoll();
  });
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

void WebhookDispatcher::stop() {
  if (!impl_->thread.joinable()) {
    return;
  }
  // Posted after every emit() made before this call, so those reach the queue first.
  asio::post(impl_->ioc, [impl = impl_.get()] {
    impl->stopping = true;
    impl->poll.cancel();
    auto inFlight = impl->inFlight;
    for (auto& [id, request] : inFlight) {
      request->cancel();
    }
    impl->work.reset();
  });
  impl_->thread.join();
}

void WebhookDispatcher::emit(Event event) {
  if (event.occurredAtMs == 0) {
    event.occurredAtMs = nowMillis();
  }
  asio::post(impl_->ioc, [impl = impl_.get(), event = std::move(event)] {
    impl->persist(event);
    impl->pump();
  });
}

}  // namespace medrtc::webhooks
