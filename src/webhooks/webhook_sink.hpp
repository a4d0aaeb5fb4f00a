#pragma once
// Where the control plane hands webhook events (the signaling hub, the room API, the
// quality figures). The dispatcher implements it; emit() is cheap and thread-safe, never
// blocks on the store or the network, and never throws.
#include "webhooks/webhook_event.hpp"

namespace medrtc::webhooks {

class WebhookSink {
 public:
  virtual ~WebhookSink() = default;
  virtual void emit(Event event) = 0;
};

}  // namespace medrtc::webhooks
