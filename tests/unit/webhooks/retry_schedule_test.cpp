// The retry schedule (docs/operations.md "Webhooks"): doubling from the base, capped,
// ±20 % jitter, given up after maxAttempts.
#include <gtest/gtest.h>

#include "webhooks/retry_schedule.hpp"

namespace medrtc::webhooks {
namespace {

using std::chrono::milliseconds;

TEST(RetrySchedule, DoublesFromFiveSecondsUpToTwoHours) {
  RetrySchedule s;
  EXPECT_EQ(s.nominalDelay(1), milliseconds(5'000));
  EXPECT_EQ(s.nominalDelay(2), milliseconds(10'000));
  EXPECT_EQ(s.nominalDelay(3), milliseconds(20'000));
  EXPECT_EQ(s.nominalDelay(11), milliseconds(5'120'000));
  EXPECT_EQ(s.nominalDelay(12), milliseconds(7'200'000));
  EXPECT_EQ(s.nominalDelay(17), milliseconds(7'200'000));
  EXPECT_EQ(s.nominalDelay(1000), milliseconds(7'200'000)) << "no overflow far past the cap";
}

TEST(RetrySchedule, GivesUpAfterEighteenAttemptsAboutFifteenHoursIn) {
  RetrySchedule s;
  EXPECT_FALSE(s.exhausted(17));
  EXPECT_TRUE(s.exhausted(18));
  milliseconds total{0};
  for (int failed = 1; failed < s.maxAttempts; ++failed) {
    total += s.nominalDelay(failed);
  }
  EXPECT_GT(total, std::chrono::hours(14));
  EXPECT_LT(total, std::chrono::hours(16));
}

TEST(RetrySchedule, JitterStaysWithinTwentyPercent) {
  RetrySchedule s;
  EXPECT_EQ(s.delay(3, 0.0), milliseconds(16'000));
  EXPECT_EQ(s.delay(3, 0.5), milliseconds(20'000));
  EXPECT_EQ(s.delay(3, 0.999999), milliseconds(23'999));
  bool varied = false;
  milliseconds first = s.randomDelay(4);
  for (int i = 0; i < 200; ++i) {
    milliseconds d = s.randomDelay(4);
    EXPECT_GE(d, milliseconds(32'000));
    EXPECT_LT(d, milliseconds(48'000));
    varied = varied || d != first;
  }
  EXPECT_TRUE(varied) << "the jitter is random";
}

TEST(RetrySchedule, TheBaseScalesTheWholeSchedule) {
  RetrySchedule s;
  s.base = milliseconds(100);
  EXPECT_EQ(s.nominalDelay(1), milliseconds(100));
  EXPECT_EQ(s.nominalDelay(4), milliseconds(800));
}

}  // namespace
}  // namespace medrtc::webhooks
