#include "sfu/quality_score.hpp"

#include <algorithm>

namespace medrtc::sfu {

namespace {
// Loss weight: LiveKit weighs loss per codec; one figure covers a participant's audio and
// video here. 5 puts 2 % loss at R 90 (good), 5 % at 75 (fair) and 12 % at 40 (poor):
// Opus with in-band FEC hides a few percent, NACK/RTX repairs video at a few percent.
constexpr double kLossWeight = 5.0;
// LiveKit's smoothing: move down fast (a drop shows within one report), up slowly.
constexpr double kDecreaseFactor = 0.7;
constexpr double kIncreaseFactor = 0.4;
// A floor so that a bad minute does not take many minutes to climb back from.
constexpr double kMinScore = 20.0;
}  // namespace

double rFactor(const LinkFigures& f) {
  // G.107's delay impairment, linearised as LiveKit does: 1 point per 40 ms of one-way
  // delay up to 160 ms, then 1 point per 10 ms beyond 120 ms.
  double effectiveDelay = std::max(0.0, f.rttMs) / 2.0 + std::max(0.0, f.jitterMs) * 2.0;
  double delayEffect = effectiveDelay > 160.0 ? (effectiveDelay - 120.0) / 10.0 : effectiveDelay / 40.0;
  double lossEffect = std::clamp(f.lossPercent, 0.0, 100.0) * kLossWeight;
  return std::clamp(100.0 - delayEffect - lossEffect, 0.0, 100.0);
}

double mosOf(double r) {
  if (r <= 0) {
    return 1.0;
  }
  if (r >= 100) {
    return 4.5;
  }
  return 1.0 + 0.035 * r + 0.000007 * r * (r - 60.0) * (100.0 - r);
}

void QualityScore::update(const LinkFigures& figures, bool hadMedia) {
  if (!hadMedia) {
    return;
  }
  double r = rFactor(figures);
  double factor = r < score_ ? kDecreaseFactor : kIncreaseFactor;
  score_ = std::max(kMinScore, factor * r + (1.0 - factor) * score_);
}

}  // namespace medrtc::sfu
