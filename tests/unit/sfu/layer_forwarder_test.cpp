#include "sfu/layer_forwarder.hpp"

#include <gtest/gtest.h>

namespace medrtc::sfu {
namespace {

constexpr uint32_t kClock = 90000;

LayerForwarder::Vp8Numbering vp8(uint16_t pictureId, uint8_t tl0PicIdx) {
  LayerForwarder::Vp8Numbering n;
  n.pictureId = pictureId;
  n.tl0PicIdx = tl0PicIdx;
  return n;
}

// Chromium gives a frame the same PictureID on every simulcast layer: when the old layer's
// frame went out just before the new layer's keyframe of the same moment, that keyframe
// carried a PictureID the receiver had decoded already, and Chromium dropped it and decoded
// the new layer's delta frames against the old picture (bwe-switch-up: 720p received,
// 180p decoded for a minute). The keyframe is numbered right after the newest frame sent.
TEST(LayerForwarder, SwitchNumbersTheKeyframeAfterTheNewestVp8FrameSent) {
  LayerForwarder f(1000, kClock);
  f.setTargetLayer(0);
  ASSERT_TRUE(f.forward(0, 10, 9000, true, Micros(0), vp8(500, 7)));
  auto old = f.forward(0, 11, 12000, false, Micros(33'333), vp8(501, 8));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->vp8.pictureId, std::optional<uint16_t>(501));  // the first layer keeps its numbers
  EXPECT_EQ(old->vp8.tl0PicIdx, std::optional<uint8_t>(8));
  f.setTargetLayer(2);
  // Layer 2's keyframe of that same frame: PictureID 501 again, its own TL0PICIDX.
  auto key = f.forward(2, 900, 77000, true, Micros(40'000), vp8(501, 200));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->vp8.pictureId, std::optional<uint16_t>(502));
  EXPECT_EQ(key->vp8.tl0PicIdx, std::optional<uint8_t>(9));
  auto next = f.forward(2, 901, 80000, false, Micros(73'333), vp8(502, 201));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->vp8.pictureId, std::optional<uint16_t>(503));
  EXPECT_EQ(next->vp8.tl0PicIdx, std::optional<uint8_t>(10));
  // A retransmission of the keyframe's packet gets the numbers it was sent with.
  auto origin = f.origin(key->sequenceNumber);
  ASSERT_TRUE(origin);
  auto again = LayerForwarder::renumber(vp8(501, 200), origin->pictureIdOffset, origin->tl0PicIdxOffset);
  EXPECT_EQ(again.pictureId, std::optional<uint16_t>(502));
  EXPECT_EQ(again.tl0PicIdx, std::optional<uint8_t>(9));
  // And one of the old layer's, its own.
  auto before = f.origin(old->sequenceNumber);
  ASSERT_TRUE(before);
  EXPECT_EQ(LayerForwarder::renumber(vp8(501, 8), before->pictureIdOffset, before->tl0PicIdxOffset).pictureId,
            std::optional<uint16_t>(501));
}

TEST(LayerForwarder, Vp8NumbersWrapAtTheirWidth) {
  LayerForwarder f(1000, kClock);
  f.setTargetLayer(0);
  ASSERT_TRUE(f.forward(0, 10, 9000, true, Micros(0), vp8(0x7FFF, 255)));
  f.setTargetLayer(1);
  auto key = f.forward(1, 50, 9000, true, Micros(33'333), vp8(12, 40));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->vp8.pictureId, std::optional<uint16_t>(0));  // 15 bits: 0x7FFF + 1
  EXPECT_EQ(key->vp8.tl0PicIdx, std::optional<uint8_t>(0));
  // A 7-bit PictureID wraps at 128.
  LayerForwarder g(1000, kClock);
  g.setTargetLayer(0);
  LayerForwarder::Vp8Numbering shortId = vp8(127, 1);
  shortId.pictureId15Bit = false;
  ASSERT_TRUE(g.forward(0, 10, 9000, true, Micros(0), shortId));
  g.setTargetLayer(1);
  LayerForwarder::Vp8Numbering other = vp8(90, 5);
  other.pictureId15Bit = false;
  auto shortKey = g.forward(1, 50, 9000, true, Micros(33'333), other);
  ASSERT_TRUE(shortKey);
  EXPECT_EQ(shortKey->vp8.pictureId, std::optional<uint16_t>(0));
}

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
