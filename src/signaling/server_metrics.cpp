#include "signaling/server_metrics.hpp"

#include "signaling/control_metrics.hpp"

namespace medrtc::signaling {

void collectServerMetrics(const SignalingHub& hub, const sfu::MediaApi* media, std::vector<metrics::Family>& out) {
  using metrics::MetricType;
  registerControlMetrics();
  std::vector<metrics::Family> registered = metrics::processRegistry().collect();
  for (auto& family : registered) {
    metrics::merge(out, std::move(family));
  }
  SignalingHub::Counts counts = hub.counts();
  auto gauge = [&out](const char* name, const char* help, size_t value) {
    metrics::merge(out, metrics::Family{name, help, MetricType::kGauge, {{{}, static_cast<double>(value)}}, {}});
  };
  gauge("medrtc_rooms", "Rooms with at least one participant in the call.", counts.rooms);
  gauge("medrtc_participants", "Participants in calls (joined, not waiting).", counts.participants);
  gauge("medrtc_waiting_participants", "Guests in a waiting room.", counts.waiting);
  gauge("medrtc_signaling_connections", "Open signaling WebSockets.", hub.connectionCount());
  if (media != nullptr) {
    media->collectMetrics(out);
  }
}

}  // namespace medrtc::signaling
