#pragma once
// The call-quality figures of a room's participants (issue 12 item 6), gathered on the
// room's worker and reported to the control thread every 5 s: loss and jitter of what
// the SFU receives from each participant and of what it sends (their receiver reports),
// RTT, bit rates, freezes on the video forwarded to each, and the E-model score
// (sfu/quality_score.hpp). Per packet it costs nothing; per forwarded video frame one
// hash lookup per subscriber.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "sfu/call_quality.hpp"
#include "sfu/freeze_counter.hpp"
#include "sfu/quality_score.hpp"

namespace medrtc::sfu {

class Consumer;
class Participant;

class RoomQuality {
 public:
  static constexpr Micros kReportInterval{5'000'000};

  // The last packet of a video frame (marker bit) went to `consumer`.
  void onVideoFrame(const Consumer& consumer, Micros now);
  bool due(Micros now) const { return now - lastReport_ >= kReportInterval; }
  // Every participant's figures for the window since the last report.
  std::vector<ParticipantQuality> report(const std::map<std::string, std::unique_ptr<Participant>>& participants,
                                         Micros now);
  void forget(const std::string& participantId) { states_.erase(participantId); }

 private:
  struct State {
    QualityScore score;
    uint64_t expected = 0;  // cumulative over its producers, at the last report
    uint64_t received = 0;
    uint64_t bytesIn = 0;
    uint64_t bytesOut = 0;
  };
  ParticipantQuality figuresOf(Participant& participant, State& state, double seconds);

  std::unordered_map<const Consumer*, FreezeCounter> freezes_;
  std::unordered_map<std::string, State> states_;
  Micros lastReport_{0};
};

}  // namespace medrtc::sfu
