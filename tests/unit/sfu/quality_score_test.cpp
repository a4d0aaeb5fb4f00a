#include "sfu/quality_score.hpp"

#include <gtest/gtest.h>

namespace medrtc::sfu {
namespace {

TEST(QualityScore, APerfectLinkScoresAHundredAndMos45) {
  EXPECT_DOUBLE_EQ(rFactor({0, 0, 0}), 100.0);
  EXPECT_DOUBLE_EQ(mosOf(100.0), 4.5);
  EXPECT_EQ(ratingOf(100.0), QualityRating::kGood);
}

TEST(QualityScore, DelayCostsAPointPer40MsThenAPointPer10Ms) {
  // RTT 100 ms, jitter 10 ms: effective delay 50 + 20 = 70 ms → 1.75 points.
  EXPECT_NEAR(rFactor({0, 100, 10}), 98.25, 1e-9);
  // RTT 400 ms: 200 ms one way → (200 − 120) / 10 = 8 points.
  EXPECT_NEAR(rFactor({0, 400, 0}), 92.0, 1e-9);
}

TEST(QualityScore, LossDecidesTheStep) {
  EXPECT_EQ(ratingOf(rFactor({2, 50, 5})), QualityRating::kGood);   // ~89
  EXPECT_EQ(ratingOf(rFactor({5, 50, 5})), QualityRating::kFair);   // ~74
  EXPECT_EQ(ratingOf(rFactor({12, 50, 5})), QualityRating::kPoor);  // ~39
  EXPECT_DOUBLE_EQ(rFactor({100, 0, 0}), 0.0);                      // never negative
}

TEST(QualityScore, MosFollowsG107AnnexB) {
  EXPECT_DOUBLE_EQ(mosOf(0), 1.0);
  EXPECT_NEAR(mosOf(50), 1 + 0.035 * 50 + 7e-6 * 50 * (50 - 60) * 50, 1e-12);  // 2.575
  EXPECT_NEAR(mosOf(80), 4.024, 1e-3);
}

TEST(QualityScore, FallsFastRecoversSlowlyAndIgnoresSilence) {
  QualityScore score;
  score.update({12, 0, 0}, true);  // R 40
  EXPECT_NEAR(score.score(), 0.7 * 40 + 0.3 * 100, 1e-9);  // 58: down 70 % of the way at once
  double afterDrop = score.score();
  score.update({0, 0, 0}, false);  // nothing sent or received: unchanged
  EXPECT_DOUBLE_EQ(score.score(), afterDrop);
  score.update({0, 0, 0}, true);  // back to 100, but only 40 % of the way
  EXPECT_NEAR(score.score(), 0.4 * 100 + 0.6 * afterDrop, 1e-9);
  for (int i = 0; i < 20; ++i) {
    score.update({100, 0, 0}, true);
  }
  EXPECT_DOUBLE_EQ(score.score(), 20.0);  // the floor
}

}  // namespace
}  // namespace medrtc::sfu
