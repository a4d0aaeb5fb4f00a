#pragma once
// Call-quality figures of one participant (issue 12 item 6), as the media plane reports
// them to the control thread every few seconds. Plain values: no names, only the id the
// room already uses for the participant.
#include <cstdint>
#include <string>

namespace medrtc::sfu {

// The three steps the host sees on a tile (sfu/quality_score.hpp maps scores to them).
enum class QualityRating : uint8_t { kGood, kFair, kPoor };
// Header-only: signaling's message library uses it and links no media code.
inline const char* toString(QualityRating rating) {
  switch (rating) {
    case QualityRating::kGood:
      return "good";
    case QualityRating::kFair:
      return "fair";
    case QualityRating::kPoor:
      return "poor";
  }
  return "poor";
}

// > 80 good, > 40 fair, else poor: LiveKit's excellent/good/poor thresholds on the R
// factor; the product says good/fair/poor ("excellent" reads as a promise to a patient on
// a weak link). Header-only for the same reason as toString.
inline QualityRating ratingOf(double r) {
  if (r > 80.0) {
    return QualityRating::kGood;
  }
  if (r > 40.0) {
    return QualityRating::kFair;
  }
  return QualityRating::kPoor;
}

struct ParticipantQuality {
  std::string participantId;
  // Worst of both directions over the last report interval: what the SFU received from
  // the participant (its uplink) and what its receiver reports say about what we sent it.
  double lossPercent = 0;
  double jitterMs = 0;
  double rttMs = 0;  // RFC 3550 §6.4.1 from its receiver reports; 0 until one carried an LSR
  uint64_t bitrateInBps = 0;   // media received from it
  uint64_t bitrateOutBps = 0;  // media forwarded to it
  // From REMB or transport-wide CC feedback once the SFU runs a send-side estimator
  // (issue 12 item 4); 0 today: nothing estimates it yet.
  uint64_t estimatedBandwidthBps = 0;
  // As a subscriber: the simulcast layer forwarded to it (0 = the lowest layer, or no
  // simulcast), the lowest over the simulcast videos it receives: the tile a poor link
  // shows worst. The layer being sent now (Consumer::currentLayer), not the one aimed at.
  int layer = 0;
  uint32_t freezeCount = 0;  // W3C webrtc-stats freezeCount over video forwarded to it, cumulative
  double score = 100;        // 0..100, an E-model R factor (sfu/quality_score.hpp)
  double mos = 4.5;
  QualityRating rating = QualityRating::kGood;
};

}  // namespace medrtc::sfu
