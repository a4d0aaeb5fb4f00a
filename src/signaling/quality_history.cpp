#include "signaling/quality_history.hpp"

#include "log/log.hpp"

namespace medrtc::signaling {

store::QualitySampleRecord toSample(const std::string& roomId, const std::string& tenantId,
                                    const sfu::ParticipantQuality& q, int64_t at) {
  store::QualitySampleRecord s;
  s.roomId = roomId;
  s.tenantId = tenantId;
  s.participantId = q.participantId;
  s.at = at;
  s.lossPercent = q.lossPercent;
  s.rttMs = q.rttMs;
  s.jitterMs = q.jitterMs;
  s.bitrateInBps = static_cast<int64_t>(q.bitrateInBps);
  s.bitrateOutBps = static_cast<int64_t>(q.bitrateOutBps);
  s.layer = q.layer;
  s.freezeCount = q.freezeCount;
  s.score = q.score;
  s.mos = q.mos;
  return s;
}

std::vector<RoomQualitySample> summarizeStored(const std::vector<store::QualitySampleRecord>& samples) {
  std::vector<RoomQualitySample> out;
  std::vector<sfu::ParticipantQuality> at;
  for (size_t i = 0; i < samples.size();) {
    int64_t time = samples[i].at;
    at.clear();
    for (; i < samples.size() && samples[i].at == time; ++i) {
      const store::QualitySampleRecord& s = samples[i];
      sfu::ParticipantQuality q;
      q.participantId = s.participantId;
      q.lossPercent = s.lossPercent;
      q.rttMs = s.rttMs;
      q.jitterMs = s.jitterMs;
      q.bitrateInBps = static_cast<uint64_t>(s.bitrateInBps);
      q.bitrateOutBps = static_cast<uint64_t>(s.bitrateOutBps);
      q.layer = s.layer;
      q.freezeCount = static_cast<uint32_t>(s.freezeCount);
      q.score = s.score;
      q.mos = s.mos;
      q.rating = sfu::ratingOf(s.score);
      at.push_back(std::move(q));
    }
    out.push_back(summarize(at, time));
  }
  return out;
}

void QualityHistory::record(const std::string& roomId, const std::string& tenantId,
                            const std::vector<sfu::ParticipantQuality>& figures, int64_t now) {
  auto last = lastSampleAt_.find(roomId);
  // Every other 5 s report: "- 1" so that a report a little early still counts.
  if (last != lastSampleAt_.end() && now - last->second < kSampleIntervalSeconds - 1) {
    return;
  }
  lastSampleAt_[roomId] = now;
  if (buffer_.empty()) {
    oldestBufferedAt_ = now;
  }
  for (const sfu::ParticipantQuality& q : figures) {
    buffer_.push_back(toSample(roomId, tenantId, q, now));
  }
  if (buffer_.size() >= kBatchSamples || now - oldestBufferedAt_ >= kFlushIntervalSeconds) {
    flush();
  }
}

void QualityHistory::roomEnded(const std::string& roomId) {
  if (lastSampleAt_.erase(roomId) > 0) {
    flush();
  }
}

void QualityHistory::flush() {
  if (buffer_.empty()) {
    return;
  }
  size_t size = buffer_.size();
  if (!writer_(std::move(buffer_))) {
    dropped_ += size;
    log::warn("quality_history_dropped", {{"samples", size}, {"reason", "store_busy"}});
  }
  buffer_.clear();
}

}  // namespace medrtc::signaling
