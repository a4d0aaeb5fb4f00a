#include "sfu/layer_forwarder.hpp"

#include <gtest/gtest.h>

namespace medrtc::sfu {
namespace {

constexpr uint32_t kClock = 90000;

TEST(LayerForwarder, StartsOnAKeyframeOfTheTargetLayerOnly) {
  LayerForwarder f(1000, kClock);
  f.setTargetLayer(2);
  EXPECT_FALSE(f.forward(2, 50, 9000, false, Micros(0)));  // not a keyframe
  EXPECT_FALSE(f.forward(0, 10, 1000, true, Micros(0)));   // a keyframe, of another layer
  auto first = f.forward(2, 51, 9000, true, Micros(0));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->sequenceNumber, 1000);
  EXPECT_EQ(first->timestamp, 9000u);  // the first layer keeps its timestamps
  EXPECT_EQ(f.currentLayer(), std::optional<size_t>(2));
  EXPECT_FALSE(f.waitingForKeyframe());
}

TEST(LayerForwarder, SwitchKeepsSequenceAndTimestampContinuous) {
  LayerForwarder f(65534, kClock);  // wraps during the test
  f.setTargetLayer(2);
  ASSERT_TRUE(f.forward(2, 100, 500'000, true, Micros(0)));
  ASSERT_TRUE(f.forward(2, 101, 500'000, false, Micros(0)));
  ASSERT_TRUE(f.forward(2, 102, 503'000, false, Micros(33'333)));  // next frame
  // Down to layer 0: its own random bases.
  f.setTargetLayer(0);
  EXPECT_TRUE(f.waitingForKeyframe());
  auto stillHigh = f.forward(2, 103, 506'000, false, Micros(66'666));  // old layer continues
  ASSERT_TRUE(stillHigh);
  EXPECT_EQ(stillHigh->sequenceNumber, 1);  // 65534, 65535, 0, 1
  EXPECT_FALSE(f.forward(0, 7000, 42, false, Micros(70'000)));  // not yet: no keyframe
  auto switched = f.forward(0, 7001, 3'000'000'000u, true, Micros(100'000));
  ASSERT_TRUE(switched);
  EXPECT_EQ(switched->sequenceNumber, 2);  // no gap, no repeat
  // 33.3 ms after the last sent packet at 90 kHz: 3000 ticks later.
  EXPECT_EQ(switched->timestamp, 506'000u + 3000u);
  auto next = f.forward(0, 7002, 3'000'003'000u, false, Micros(133'333));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->sequenceNumber, 3);
  EXPECT_EQ(next->timestamp, 506'000u + 6000u);
  // The old layer is now dropped.
  EXPECT_FALSE(f.forward(2, 104, 509'000, false, Micros(140'000)));
}

TEST(LayerForwarder, DropsPacketsFromBeforeTheSwitchPoint) {
  LayerForwarder f(10, kClock);
  f.setTargetLayer(1);
  ASSERT_TRUE(f.forward(1, 500, 0, true, Micros(0)));
  EXPECT_FALSE(f.forward(1, 499, 0, false, Micros(1)));  // reordered, from before the start
  auto later = f.forward(1, 502, 0, false, Micros(2));   // 501 lost
  ASSERT_TRUE(later);
  EXPECT_EQ(later->sequenceNumber, 12);  // the gap stays a gap: the subscriber NACKs it
  auto late = f.forward(1, 501, 0, false, Micros(3));    // arrives late (RTX)
  ASSERT_TRUE(late);
  EXPECT_EQ(late->sequenceNumber, 11);
  auto next = f.forward(1, 503, 0, false, Micros(4));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->sequenceNumber, 13);  // the late packet did not move the reference
}

TEST(LayerForwarder, OriginMapsOutgoingNumbersBackAcrossASwitch) {
  LayerForwarder f(100, kClock);
  f.setTargetLayer(2);
  ASSERT_TRUE(f.forward(2, 40, 1000, true, Micros(0)));  // out 100
  ASSERT_TRUE(f.forward(2, 41, 1000, false, Micros(0)));  // out 101
  f.setTargetLayer(1);
  auto switched = f.forward(1, 900, 77, true, Micros(10'000));  // out 102
  ASSERT_TRUE(switched);
  auto before = f.origin(101);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->layer, 2u);
  EXPECT_EQ(before->sequenceNumber, 41);
  EXPECT_EQ(before->timestampOffset, 0u);
  auto after = f.origin(102);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->layer, 1u);
  EXPECT_EQ(after->sequenceNumber, 900);
  EXPECT_EQ(77 + after->timestampOffset, switched->timestamp);
  EXPECT_FALSE(f.origin(103));  // never sent
  EXPECT_FALSE(f.origin(static_cast<uint16_t>(102 + LayerForwarder::kHistory)));
}

TEST(LayerForwarder, WithoutHistoryForwardsTheSameAndFindsNoOrigin) {
  LayerForwarder kept(7, 48000);
  LayerForwarder none(7, 48000, /*keepHistory=*/false);
  for (uint16_t i = 0; i < 5; ++i) {
    auto a = kept.forward(0, static_cast<uint16_t>(300 + i), 960u * i, true, Micros(20'000 * i));
    auto b = none.forward(0, static_cast<uint16_t>(300 + i), 960u * i, true, Micros(20'000 * i));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->sequenceNumber, b->sequenceNumber);
    EXPECT_EQ(a->timestamp, b->timestamp);
  }
  EXPECT_TRUE(kept.origin(9));
  EXPECT_FALSE(none.origin(9));
}

TEST(LayerForwarder, SingleLayerAudioPassesEveryPacket) {
  LayerForwarder f(7, 48000);
  // Audio: every packet counts as a keyframe; layer 0 is the only one.
  for (uint16_t i = 0; i < 5; ++i) {
    auto r = f.forward(0, static_cast<uint16_t>(300 + i), 960u * i, true, Micros(20'000 * i));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->sequenceNumber, 7 + i);
    EXPECT_EQ(r->timestamp, 960u * i);
  }
}

}  // namespace
}  // namespace medrtc::sfu

namespace medrtc::sfu {
namespace {

TEST(LayerForwarder, AfterAPauseResumesOnAKeyframeNumberedOn) {
  LayerForwarder f(500, 90000);
  f.setTargetLayer(1);
  ASSERT_TRUE(f.forward(1, 10, 1000, true, Micros(0)));
  ASSERT_TRUE(f.forward(1, 11, 4000, false, Micros(33'000)));
  // Paused (the consumer dropped packets 12..99), then resumed.
  f.requireKeyframe();
  EXPECT_TRUE(f.waitingForKeyframe());
  EXPECT_FALSE(f.forward(1, 100, 90'000, false, Micros(1'000'000)));  // a delta frame: not yet
  auto resumed = f.forward(1, 101, 93'000, true, Micros(1'033'000));
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->sequenceNumber, 502);  // no gap the subscriber would NACK
  EXPECT_EQ(resumed->timestamp, 4000u + 90'000u);  // one second of clock after the last sent
  EXPECT_FALSE(f.waitingForKeyframe());
  auto next = f.forward(1, 102, 96'000, false, Micros(1'066'000));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->sequenceNumber, 503);
}

}  // namespace
}  // namespace medrtc::sfu
