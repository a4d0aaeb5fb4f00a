#pragma once
// Who is speaking in a room (issue 12 item 7), from the RFC 6464 audio levels the
// publishers put on their audio packets. Per packet the room hands over one byte (the
// level); every evaluation interval each participant's levels of that interval become a
// loudness figure, smoothed over a few intervals, and the loudest participant becomes the
// active speaker only after it stayed clearly louder than the current one for a while, so
// a cough or two people talking at once does not make the highlight flap (Jitsi's
// dominant-speaker identification and LiveKit's speaker detector follow the same idea).
// Lives on the room's worker thread; no allocation per packet.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace medrtc::sfu {

class ActiveSpeakerDetector {
 public:
  struct Params {
    Micros interval{300'000};  // how often evaluate() decides
    // RFC 6464 levels are -dBov, 0 loudest, 127 silence. Levels at or below this floor
    // (-80 dBov: a quiet room's noise) count as silence.
    uint8_t silenceFloor = 80;
    double smoothing = 0.5;   // weight of the newest interval in the moving average
    double speakingThreshold = 10;  // smoothed loudness (dB above the floor) that counts as speech
    double switchMargin = 6;        // a challenger must be this many dB louder than the speaker…
    int switchIntervals = 2;        // …for this many evaluations in a row…
    Micros minHold{1'000'000};      // …and the speaker held the floor at least this long.
  };

  ActiveSpeakerDetector() : ActiveSpeakerDetector(Params{}) {}
  explicit ActiveSpeakerDetector(Params params) : params_(params) {}

  // The publisher's negotiated ssrc-audio-level extension id (0: it sends none).
  void setExtensionId(std::string_view participantId, uint8_t extensionId);
  uint8_t extensionId(std::string_view participantId) const;
  // One audio packet's level (-dBov). Unknown participants are added.
  void observe(std::string_view participantId, uint8_t level);
  void remove(std::string_view participantId);

  // Once per interval: the new active speaker when it changed, else nullopt.
  std::optional<std::string> evaluate(Micros now);
  const std::string& current() const { return current_; }
  bool due(Micros now) const { return now - lastEvaluation_ >= params_.interval; }

 private:
  struct Speaker {
    std::string participantId;
    uint8_t extensionId = 0;
    double loudnessSum = 0;  // this interval
    uint32_t packets = 0;    // this interval
    double smoothed = 0;
    int aheadIntervals = 0;  // consecutive evaluations it beat the current speaker
  };
  Speaker* find(std::string_view participantId);
  const Speaker* find(std::string_view participantId) const;
  Speaker& findOrAdd(std::string_view participantId);

  Params params_;
  std::vector<Speaker> speakers_;  // a room has a handful: a linear scan beats hashing
  std::string current_;
  Micros lastEvaluation_{0};
  Micros currentSince_{0};
};

}  // namespace medrtc::sfu
