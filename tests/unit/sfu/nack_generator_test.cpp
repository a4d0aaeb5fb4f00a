#include "sfu/nack_generator.hpp"

#include <gtest/gtest.h>

namespace medrtc::sfu {
namespace {

std::vector<uint16_t> collect(NackGenerator& g, Micros now, size_t limit = 100) {
  std::vector<uint16_t> out;
  g.collect(now, out, limit);
  return out;
}

TEST(NackGenerator, AGapIsNackedAndRecoveredPacketsLeaveTheList) {
  NackGenerator g;
  g.onPacket(65534, false, Micros(0));
  g.onPacket(2, false, Micros(1'000));  // 65535, 0, 1 missing (across the wrap)
  EXPECT_EQ(collect(g, Micros(2'000)), (std::vector<uint16_t>{65535, 0, 1}));
  EXPECT_EQ(g.onPacket(0, false, Micros(3'000)), NackGenerator::Outcome::kRecovered);  // reordered
  EXPECT_EQ(g.pending(), 2u);
  EXPECT_EQ(g.onPacket(0, false, Micros(3'500)), NackGenerator::Outcome::kDuplicate);
  EXPECT_EQ(g.stats().recovered, 1u);
}

TEST(NackGenerator, RetriesWaitARoundTripMeasuredFromRetransmissions) {
  NackGenerator g;
  g.onPacket(10, false, Micros(0));
  g.onPacket(13, false, Micros(0));  // 11, 12 missing
  EXPECT_EQ(collect(g, Micros(0)).size(), 2u);
  EXPECT_TRUE(collect(g, Micros(50'000)).empty());  // within the default 100 ms
  EXPECT_EQ(collect(g, Micros(100'000)).size(), 2u);  // retried
  // 11 comes back 30 ms after the retry: the round trip is now 30 ms.
  EXPECT_EQ(g.onPacket(11, true, Micros(130'000)), NackGenerator::Outcome::kRecovered);
  EXPECT_EQ(g.roundTrip(), Micros(30'000));
  EXPECT_TRUE(collect(g, Micros(120'000)).empty());
  EXPECT_EQ(collect(g, Micros(131'000)), (std::vector<uint16_t>{12}));
}

TEST(NackGenerator, GivesUpAfterTenRetriesOrOneSecond) {
  NackGenerator g;
  g.onPacket(1, false, Micros(0));
  g.onPacket(3, false, Micros(0));
  int sent = 0;
  for (int i = 0; i < 20; ++i) {
    sent += static_cast<int>(collect(g, Micros(i * 100'000)).size());
  }
  EXPECT_EQ(sent, NackGenerator::kMaxRetries);
  EXPECT_EQ(g.pending(), 0u);
  EXPECT_EQ(g.stats().abandoned, 1u);

  g.onPacket(10, false, Micros(5'000'000));  // 4..9 missing
  EXPECT_EQ(collect(g, Micros(5'000'000)).size(), 6u);
  EXPECT_TRUE(collect(g, Micros(6'100'000)).empty());  // older than a second: dropped
  EXPECT_EQ(g.pending(), 0u);
}

TEST(NackGenerator, AGapWiderThanTheHistoryIsNotNacked) {
  NackGenerator g;
  g.onPacket(100, false, Micros(0));
  EXPECT_EQ(g.onPacket(100 + NackGenerator::kMaxGap + 2, false, Micros(0)), NackGenerator::Outcome::kGapTooWide);
  EXPECT_TRUE(collect(g, Micros(0)).empty());
}

TEST(NackGenerator, OneCollectIsBoundedByTheLimit) {
  NackGenerator g;
  g.onPacket(0, false, Micros(0));
  g.onPacket(100, false, Micros(0));
  EXPECT_EQ(collect(g, Micros(0), 17).size(), 17u);
  EXPECT_EQ(collect(g, Micros(0), 100).size(), 82u);  // the rest, not yet sent ones first time
}

}  // namespace
}  // namespace medrtc::sfu
