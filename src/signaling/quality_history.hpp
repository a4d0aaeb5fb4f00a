#pragma once
// Keeps a consultation's call quality after its room ends (issue 15 item 6,
// docs/operations.md "Call-quality history"). From the 5 s reports that reach the control
// thread it takes one sample per participant every kSampleInterval and hands them to a
// writer in batches; serve's writer is a StorePool job, so the database is written off the
// control thread. A refused batch (the pool's queue is full) is dropped and counted: the
// history is a help for the admin, never a reason to slow a call down. The store bounds
// each room to kMaxSamplesPerRoom rows. Ids and figures only, never a name.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/call_quality.hpp"
#include "signaling/call_quality_board.hpp"
#include "store/store.hpp"

namespace medrtc::signaling {

class QualityHistory {
 public:
  static constexpr int64_t kSampleIntervalSeconds = 10;
  // A batch goes out when it has this many samples, when the oldest waited this long, or
  // when a room ends (so an ended consultation's history is complete at once).
  static constexpr size_t kBatchSamples = 64;
  static constexpr int64_t kFlushIntervalSeconds = 30;
  // 4 hours of a three-person call at one sample per 10 s: a consultation that runs longer
  // keeps its first part (the bound is on the table's growth, not a product limit).
  static constexpr int64_t kMaxSamplesPerRoom = 4'320;

  // Takes a batch; false when it could not (it is then dropped).
  using Writer = std::function<bool(std::vector<store::QualitySampleRecord>)>;

  explicit QualityHistory(Writer writer) : writer_(std::move(writer)) {}

  // A quality report of room `roomId` (tenant `tenantId`, "" for integrator rooms) at
  // `now` (Unix seconds).
  void record(const std::string& roomId, const std::string& tenantId,
              const std::vector<sfu::ParticipantQuality>& figures, int64_t now);
  // The room emptied: its buffered samples go out now.
  void roomEnded(const std::string& roomId);
  // Hands every buffered sample to the writer (shutdown, a room's end).
  void flush();

  size_t buffered() const { return buffer_.size(); }
  uint64_t droppedSamples() const { return dropped_; }

 private:
  Writer writer_;
  std::vector<store::QualitySampleRecord> buffer_;
  std::unordered_map<std::string, int64_t> lastSampleAt_;  // per live room
  int64_t oldestBufferedAt_ = 0;
  uint64_t dropped_ = 0;
};

// A stored history as the dashboard charts it: one point per sampling time, the room's
// figures summarized as for a live room (call_quality_board.hpp summarize). `samples`
// oldest first, as listQualitySamples returns them.
std::vector<RoomQualitySample> summarizeStored(const std::vector<store::QualitySampleRecord>& samples);

// One participant's figures as a stored sample.
store::QualitySampleRecord toSample(const std::string& roomId, const std::string& tenantId,
                                    const sfu::ParticipantQuality& q, int64_t at);

}  // namespace medrtc::signaling
