#include "sfu/active_speaker.hpp"

#include <algorithm>

namespace medrtc::sfu {

ActiveSpeakerDetector::Speaker* ActiveSpeakerDetector::find(std::string_view participantId) {
  for (Speaker& s : speakers_) {
    if (s.participantId == participantId) {
      return &s;
    }
  }
  return nullptr;
}

const ActiveSpeakerDetector::Speaker* ActiveSpeakerDetector::find(std::string_view participantId) const {
  return const_cast<ActiveSpeakerDetector*>(this)->find(participantId);
}

ActiveSpeakerDetector::Speaker& ActiveSpeakerDetector::findOrAdd(std::string_view participantId) {
  if (Speaker* s = find(participantId)) {
    return *s;
  }
  speakers_.push_back(Speaker{std::string(participantId)});
  return speakers_.back();
}

void ActiveSpeakerDetector::setExtensionId(std::string_view participantId, uint8_t extensionId) {
  findOrAdd(participantId).extensionId = extensionId;
}

uint8_t ActiveSpeakerDetector::extensionId(std::string_view participantId) const {
  const Speaker* s = find(participantId);
  return s == nullptr ? 0 : s->extensionId;
}

void ActiveSpeakerDetector::observe(std::string_view participantId, uint8_t level) {
  Speaker& s = findOrAdd(participantId);
  // Loudness in dB above the silence floor; the level is 7 bits (RFC 6464 §3).
  level = std::min<uint8_t>(level, 127);
  s.loudnessSum += level < params_.silenceFloor ? static_cast<double>(params_.silenceFloor - level) : 0.0;
  ++s.packets;
}

void ActiveSpeakerDetector::remove(std::string_view participantId) {
  std::erase_if(speakers_, [&](const Speaker& s) { return s.participantId == participantId; });
  if (current_ == participantId) {
    current_.clear();  // the next evaluation may name anyone who speaks, without a hold
  }
}

std::optional<std::string> ActiveSpeakerDetector::evaluate(Micros now) {
  lastEvaluation_ = now;
  Speaker* loudest = nullptr;
  for (Speaker& s : speakers_) {
    // No packets in an interval is silence too: Opus DTX sends almost none while quiet.
    double mean = s.packets == 0 ? 0.0 : s.loudnessSum / s.packets;
    s.smoothed += params_.smoothing * (mean - s.smoothed);
    s.loudnessSum = 0;
    s.packets = 0;
    if (s.smoothed >= params_.speakingThreshold && (loudest == nullptr || s.smoothed > loudest->smoothed)) {
      loudest = &s;
    }
  }
  Speaker* current = current_.empty() ? nullptr : find(current_);
  for (Speaker& s : speakers_) {
    if (&s != loudest) {
      s.aheadIntervals = 0;
    }
  }
  if (loudest == nullptr || loudest == current) {
    return std::nullopt;
  }
  if (current == nullptr) {
    // Nobody holds the floor (start of the call, or the speaker left): no hysteresis.
    current_ = loudest->participantId;
    currentSince_ = now;
    loudest->aheadIntervals = 0;
    return current_;
  }
  bool clearlyLouder = loudest->smoothed >= current->smoothed + params_.switchMargin;
  loudest->aheadIntervals = clearlyLouder ? loudest->aheadIntervals + 1 : 0;
  if (loudest->aheadIntervals < params_.switchIntervals || now - currentSince_ < params_.minHold) {
    return std::nullopt;
  }
  current_ = loudest->participantId;
  currentSince_ = now;
  loudest->aheadIntervals = 0;
  return current_;
}

}  // namespace medrtc::sfu
