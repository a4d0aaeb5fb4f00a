#include "sfu/downlink_bandwidth.hpp"

#include <algorithm>
#include <string>

#include "log/log.hpp"
#include "sfu/consumer.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/producer.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

void DownlinkBandwidth::onFeedback(const rtp::TransportCcFeedbackView& feedback, const WebRtcTransport& transport,
                                   Micros now) {
  bwe::FeedbackAdapter::Stats before = estimator_.feedbackStats();
  estimator_.onFeedback(feedback, transport.sendHistory(), now.count());
  const bwe::FeedbackAdapter::Stats& after = estimator_.feedbackStats();
  uint64_t ignored = (after.ignoredFeedbacks - before.ignoredFeedbacks) + (after.absurdArrivals - before.absurdArrivals) +
                     (after.timelineResets - before.timelineResets);
  if (ignored != 0) {
    mediaCounters().transportCcIgnored.add(ignored);
  }
  // Accepted feedback, so that /metrics shows subscribers' feedback reaching the estimator
  // (an interop client whose feedback the SFU cannot read would otherwise go unnoticed).
  if (uint64_t accepted = after.feedbacks - before.feedbacks; accepted != 0) {
    mediaCounters().transportCcFeedback.add(accepted);
  }
}

bool DownlinkBandwidth::allowRetransmission(Micros now) {
  constexpr double kPacketBytes = 1200;
  if (!estimator_.hasFeedback()) {
    return true;
  }
  double rate = static_cast<double>(estimator_.estimateBps()) / 4 / 8;  // bytes per second
  double elapsed = static_cast<double>((now - lastRefill_).count()) / 1e6;
  lastRefill_ = now;
  retransmitTokens_ = std::min(retransmitTokens_ + rate * std::max(elapsed, 0.0), std::max(rate / 4, kPacketBytes));
  if (retransmitTokens_ < kPacketBytes) {
    return false;
  }
  retransmitTokens_ -= kPacketBytes;
  return true;
}

void DownlinkBandwidth::onTick(Micros now, WebRtcTransport& transport,
                               const std::vector<std::unique_ptr<Consumer>>& consumers) {
  if (!transport.transportCcNegotiated() || !transport.connected()) {
    return;
  }
  collectTracks(now, consumers);
  estimator_.setWantedBps(BandwidthAllocator::wantedBps(tracks_));
  probe(now, transport, consumers);
  if (estimator_.settled()) {
    allocate(now);
  }
}

void DownlinkBandwidth::probe(Micros now, WebRtcTransport& transport,
                              const std::vector<std::unique_ptr<Consumer>>& consumers) {
  constexpr int64_t kTickUs = 20'000;
  if (!cluster_) {
    cluster_ = estimator_.maybeStartProbe(now.count());
    if (!cluster_) {
      return;
    }
    transport.setProbeCluster(cluster_->id);
    clusterStartBytes_ = transport.rtpBytesSent();
  }
  // Pad so that media plus padding reach the cluster's rate by the next tick.
  int64_t elapsed = now.count() + kTickUs - cluster_->startUs;
  auto due = static_cast<uint64_t>(static_cast<double>(cluster_->bps) * static_cast<double>(elapsed) / 8e6);
  uint64_t sent = transport.rtpBytesSent() - clusterStartBytes_;
  Consumer* padder = nullptr;
  for (const auto& c : consumers) {
    if (!c->closed() && c->kind() == "video" && c->negotiated()) {
      padder = c.get();
      break;
    }
  }
  for (int i = 0; padder != nullptr && sent < due && i < kMaxPaddingPacketsPerTick; ++i) {
    uint64_t before = transport.rtpBytesSent();
    if (!padder->sendPadding(255)) {
      break;  // no rtx negotiated: the cluster carries media only
    }
    sent += transport.rtpBytesSent() - before;
  }
  if (elapsed >= cluster_->durationUs) {
    transport.setProbeCluster(-1);
    estimator_.onProbeSent(cluster_->id, static_cast<int64_t>(transport.sendHistory().packetsSent()));
    cluster_.reset();
  }
}

void DownlinkBandwidth::collectTracks(Micros now, const std::vector<std::unique_ptr<Consumer>>& consumers) {
  static_assert(Producer::kMaxLayers == 4);
  layerStates_.resize(consumers.size());
  tracks_.clear();
  owners_.clear();
  for (size_t i = 0; i < consumers.size(); ++i) {
    Consumer& c = *consumers[i];
    Producer* producer = c.producer();
    if (producer == nullptr || !c.negotiated()) {
      continue;
    }
    BandwidthAllocator::Track t;
    t.key = &c;
    if (!producer->isVideo()) {
      t.audio = true;
      t.audioBps = producer->layer(0).bitrate();
    } else {
      size_t count = std::min(producer->layerCount(), Producer::kMaxLayers);
      for (size_t l = 0; l < count; ++l) {
        const RtpReceiveStream& s = producer->layer(l);
        layerStates_[i][l] = LayerState{s.active(now), s.activeSince(), s.bitrate()};
      }
      t.layers = std::span<const LayerState>(layerStates_[i].data(), count);
    }
    tracks_.push_back(t);
    owners_.push_back(&c);
  }
}

void DownlinkBandwidth::allocate(Micros now) {
  uint64_t estimate = estimator_.estimateBps();
  if (!allocator_.due(estimate, BandwidthAllocator::shapeOf(tracks_, now), now)) {
    return;
  }
  auto allocations = allocator_.allocate(estimate, tracks_, now);
  for (size_t k = 0; k < allocations.size(); ++k) {
    if (tracks_[k].audio) {
      continue;
    }
    Consumer& c = *owners_[k];
    if (allocations[k].paused && !c.paused()) {
      mediaCounters().videoPauses.add();
    }
    if (allocations[k].paused != c.paused() || allocations[k].maxLayer != c.bandwidthCap()) {
      // The layer rates the allocation used, lowest first: why a track was paused or capped
      // can be read from the line alone.
      std::string layerBps;
      for (const LayerState& l : tracks_[k].layers) {
        layerBps += (layerBps.empty() ? "" : ",") + std::to_string(l.bitrate);
      }
      log::info("media_bandwidth_allocation",
                {{"participant", participantId_},
                 {"consumer", c.mid()},
                 {"estimate_bps", std::to_string(estimate)},
                 {"layer_bps", layerBps},
                 {"max_layer", allocations[k].maxLayer ? std::to_string(*allocations[k].maxLayer) : "-"},
                 {"paused", allocations[k].paused ? "true" : "false"}});
    }
    c.setBandwidthAllocation(allocations[k].maxLayer, allocations[k].paused);
  }
}

}  // namespace medrtc::sfu
