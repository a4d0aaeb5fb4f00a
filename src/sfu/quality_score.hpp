#pragma once
// A MOS-style call-quality score, the simplified E-model (ITU-T G.107) LiveKit uses in
// pkg/sfu/connectionquality/scorer.go: an R factor of 100 less a delay effect (from RTT/2
// plus twice the jitter) and a weighted loss effect, smoothed so the score falls fast and
// recovers slowly, mapped to MOS and to the three steps the host sees.
#include "sfu/call_quality.hpp"

namespace medrtc::sfu {

struct LinkFigures {
  double lossPercent = 0;
  double rttMs = 0;
  double jitterMs = 0;
};

// One window's R factor, 0..100, before smoothing.
double rFactor(const LinkFigures& figures);
// ITU-T G.107 Annex B: R → MOS, 1..4.5.
double mosOf(double r);
// ratingOf(r) (call_quality.hpp) maps the score to what the host sees.

class QualityScore {
 public:
  // Adds one report window. `hadMedia` false (nothing sent or received in the window,
  // e.g. both tracks muted) keeps the score: silence is not a bad link.
  void update(const LinkFigures& figures, bool hadMedia);
  double score() const { return score_; }

 private:
  double score_ = 100;
};

}  // namespace medrtc::sfu
