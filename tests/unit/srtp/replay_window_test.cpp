#include "srtp/replay_window.hpp"

#include <gtest/gtest.h>

namespace medrtc::srtp {
namespace {

TEST(ReplayWindow, FreshWindowAcceptsIndexZeroOnce) {
  ReplayWindow w;
  EXPECT_EQ(w.check(0), ReplayCheck::kFresh);
  w.accept(0);
  EXPECT_EQ(w.check(0), ReplayCheck::kSeen);
  EXPECT_EQ(w.check(1), ReplayCheck::kFresh);
}

TEST(ReplayWindow, RemembersEveryIndexOfTheLast1024AcrossWordBoundaries) {
  ReplayWindow w;
  for (uint64_t i = 1; i <= 3000; i += 2) {  // odd indices only
    w.accept(i);
  }
  EXPECT_EQ(w.highest(), 2999u);
  for (uint64_t i = 2999 - 1023; i <= 2999; ++i) {
    EXPECT_EQ(w.check(i), i % 2 ? ReplayCheck::kSeen : ReplayCheck::kFresh) << i;
  }
  EXPECT_EQ(w.check(2999 - 1024), ReplayCheck::kTooOld);
}

TEST(ReplayWindow, AJumpPastTheWindowForgetsEverything) {
  ReplayWindow w;
  w.accept(10);
  w.accept(11);
  w.accept(11 + 1024 + 70);
  EXPECT_EQ(w.check(11 + 70 + 1), ReplayCheck::kFresh);
  EXPECT_EQ(w.check(11 + 70), ReplayCheck::kTooOld);
  EXPECT_EQ(w.check(11 + 1024 + 70), ReplayCheck::kSeen);
}

TEST(ReplayWindow, ShiftsByOddAmountsKeepBits) {
  ReplayWindow w;
  w.accept(100);
  w.accept(100 + 65);   // crosses one word and a bit
  w.accept(100 + 200);  // three more words
  EXPECT_EQ(w.check(100), ReplayCheck::kSeen);
  EXPECT_EQ(w.check(165), ReplayCheck::kSeen);
  EXPECT_EQ(w.check(166), ReplayCheck::kFresh);
  EXPECT_EQ(w.check(99), ReplayCheck::kFresh);
}

}  // namespace
}  // namespace medrtc::srtp
