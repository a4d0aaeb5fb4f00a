#include "sfu/freeze_counter.hpp"

#include <gtest/gtest.h>

namespace medrtc::sfu {
namespace {

struct Stream {
  FreezeCounter counter;
  Micros now{1'000'000};
  void frames(int n, int64_t gapUs) {
    for (int i = 0; i < n; ++i) {
      now += Micros{gapUs};
      counter.onFrame(now);
    }
  }
};

TEST(FreezeCounter, SteadyThirtyFpsHasNoFreeze) {
  Stream s;
  s.frames(300, 33'333);
  EXPECT_EQ(s.counter.freezes(), 0u);
}

TEST(FreezeCounter, AGapOfAveragePlus150MsIsOneFreezeAt30Fps) {
  // At 30 fps the average is 33 ms: max(100 ms, 183 ms) = 183 ms decides.
  Stream s;
  s.frames(40, 33'333);
  s.frames(1, 170'000);  // 3 × average but under average + 150 ms: not a freeze
  EXPECT_EQ(s.counter.freezes(), 0u);
  s.frames(40, 33'333);
  s.frames(1, 200'000);
  EXPECT_EQ(s.counter.freezes(), 1u);
}

TEST(FreezeCounter, AtLowFrameRatesThreeTimesTheAverageDecides) {
  // 5 fps (screen share): average 200 ms, max(600 ms, 350 ms) = 600 ms.
  Stream s;
  s.frames(40, 200'000);
  s.frames(1, 500'000);
  EXPECT_EQ(s.counter.freezes(), 0u);
  s.frames(40, 200'000);
  s.frames(1, 650'000);
  EXPECT_EQ(s.counter.freezes(), 1u);
}

TEST(FreezeCounter, NothingIsCountedBeforeAnAverageExists) {
  Stream s;
  s.frames(2, 33'333);
  s.frames(1, 2'000'000);
  EXPECT_EQ(s.counter.freezes(), 0u);
}

TEST(FreezeCounter, EachStallCountsOnce) {
  Stream s;
  for (int stall = 0; stall < 3; ++stall) {
    s.frames(60, 33'333);
    s.frames(1, 1'000'000);
  }
  EXPECT_EQ(s.counter.freezes(), 3u);
}

}  // namespace
}  // namespace medrtc::sfu
