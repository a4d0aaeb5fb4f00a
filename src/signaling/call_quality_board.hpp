#pragma once
// What the control thread keeps of the media plane's quality reports (issue 12 item 6,
// issue 15 item 6): each participant's latest figures, and per room a bounded ring of
// samples for the admin dashboard's charts. In memory only and per node: a room's ring
// goes when the room empties. Holds participant ids, never names.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/call_quality.hpp"

namespace medrtc::signaling {

// One point of a room's chart: the room's figures at one report, worst participant first
// (a consultation is as good as its worst link).
struct RoomQualitySample {
  int64_t at = 0;  // Unix seconds
  double lossPercent = 0;     // max over participants
  double rttMs = 0;           // max
  double jitterMs = 0;        // max
  uint64_t bitrateBps = 0;    // sum of what the SFU received from the participants
  int layer = 0;              // min over participants (0 without simulcast)
  uint32_t freezeCount = 0;   // sum, cumulative
  double score = 100;         // min
  size_t participants = 0;
};

class CallQualityBoard {
 public:
  // 5 s reports: one hour of history per live room.
  static constexpr size_t kMaxSamples = 720;

  void record(const std::string& roomId, const std::vector<sfu::ParticipantQuality>& figures, int64_t now);
  void forgetParticipant(const std::string& participantId);
  void forgetRoom(const std::string& roomId);

  const std::vector<sfu::ParticipantQuality>* latest(const std::string& roomId) const;
  // Samples at or after `since` (Unix seconds), oldest first.
  std::vector<RoomQualitySample> samples(const std::string& roomId, int64_t since = 0) const;

 private:
  struct Room {
    std::vector<sfu::ParticipantQuality> latest;
    std::deque<RoomQualitySample> ring;
  };
  std::unordered_map<std::string, Room> rooms_;
};

RoomQualitySample summarize(const std::vector<sfu::ParticipantQuality>& figures, int64_t at);

}  // namespace medrtc::signaling
