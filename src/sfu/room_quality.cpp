#include "sfu/room_quality.hpp"

#include <algorithm>
#include <optional>

#include "sfu/media_counters.hpp"
#include "sfu/participant.hpp"

namespace medrtc::sfu {

namespace {
// A counter that went backwards (a producer or consumer was removed since the last
// report) restarts the window instead of producing a huge unsigned delta.
uint64_t delta(uint64_t now, uint64_t before) { return now >= before ? now - before : 0; }
}  // namespace

void RoomQuality::onVideoFrame(const Consumer& consumer, Micros now) {
  FreezeCounter& counter = freezes_[&consumer];
  uint32_t before = counter.freezes();
  counter.onFrame(now);
  if (counter.freezes() != before) {
    mediaCounters().videoFreezes.add();
  }
}

ParticipantQuality RoomQuality::figuresOf(Participant& participant, State& state, double seconds) {
  ParticipantQuality q;
  q.participantId = participant.id();

  // Uplink: RFC 3550 A.3 on what the SFU received from it.
  uint64_t expected = 0;
  uint64_t received = 0;
  uint64_t bytesIn = 0;
  double uplinkJitterMs = 0;
  for (const Producer* producer : participant.producers()) {
    Producer::ReceiveFigures f = producer->receiveFigures();
    expected += f.expected;
    received += f.received;
    bytesIn += producer->stats().bytes;
    uplinkJitterMs = std::max(uplinkJitterMs, f.jitterSeconds * 1000.0);
  }
  uint64_t expectedInterval = delta(expected, state.expected);
  uint64_t receivedInterval = delta(received, state.received);
  double uplinkLoss = expectedInterval > receivedInterval
                          ? static_cast<double>(expectedInterval - receivedInterval) * 100.0 / expectedInterval
                          : 0.0;

  // Downlink: its receiver reports, and what was forwarded to it.
  uint64_t bytesOut = 0;
  uint32_t freezes = 0;
  std::optional<size_t> lowestLayer;
  for (const auto& consumer : participant.consumers()) {
    bytesOut += consumer->stats().bytesSent;
    if (auto it = freezes_.find(consumer.get()); it != freezes_.end()) {
      freezes += it->second.freezes();
    }
    // Only simulcast videos have a choice of layer; a single-layer stream is always 0 and
    // would hide what the others forward.
    const Producer* producer = consumer->producer();
    if (producer != nullptr && producer->simulcast()) {
      if (auto layer = consumer->currentLayer()) {
        lowestLayer = lowestLayer ? std::min(*lowestLayer, *layer) : *layer;
      }
    }
  }
  ReceiverReportStats::Window down = participant.downlinkReports().take();

  q.lossPercent = std::max(uplinkLoss, down.lossPercent);
  q.jitterMs = std::max(uplinkJitterMs, down.jitterMs);
  q.rttMs = down.rttMs.value_or(0);
  if (seconds > 0) {
    q.bitrateInBps = static_cast<uint64_t>(static_cast<double>(delta(bytesIn, state.bytesIn)) * 8 / seconds);
    q.bitrateOutBps = static_cast<uint64_t>(static_cast<double>(delta(bytesOut, state.bytesOut)) * 8 / seconds);
  }
  q.freezeCount = freezes;
  q.estimatedBandwidthBps = participant.estimatedBandwidthBps();
  q.layer = static_cast<int>(lowestLayer.value_or(0));
  if (lowestLayer) {
    mediaCounters().forwardedLayer.observe(static_cast<double>(*lowestLayer));
  }
  bool hadMedia = expectedInterval > 0 || down.any;
  state.score.update(LinkFigures{q.lossPercent, q.rttMs, q.jitterMs}, hadMedia);
  q.score = state.score.score();
  q.mos = mosOf(q.score);
  q.rating = ratingOf(q.score);

  state.expected = expected;
  state.received = received;
  state.bytesIn = bytesIn;
  state.bytesOut = bytesOut;
  return q;
}

std::vector<ParticipantQuality> RoomQuality::report(
    const std::map<std::string, std::unique_ptr<Participant>>& participants, Micros now) {
  double seconds = lastReport_.count() == 0 ? 0.0 : static_cast<double>((now - lastReport_).count()) / 1e6;
  lastReport_ = now;
  std::vector<ParticipantQuality> out;
  std::unordered_map<const Consumer*, FreezeCounter> live;
  MediaCounters& counters = mediaCounters();
  for (const auto& [id, participant] : participants) {
    // Keep only counters of consumers that still exist: a freed consumer's address can be
    // reused by a new one, which must start from zero.
    for (const auto& consumer : participant->consumers()) {
      if (auto it = freezes_.find(consumer.get()); it != freezes_.end()) {
        live.emplace(consumer.get(), it->second);
      }
    }
    State& state = states_[id];
    ParticipantQuality q = figuresOf(*participant, state, seconds);
    counters.qualityScore.observe(q.score);
    out.push_back(std::move(q));
  }
  freezes_ = std::move(live);
  return out;
}

}  // namespace medrtc::sfu
