#include "client/synthetic_media.hpp"

#include <gtest/gtest.h>

#include <array>

#include "rtp/vp8.hpp"

namespace medrtc::client {
namespace {

TEST(SyntheticMedia, SendTimeRoundTripsAndNeedsTag) {
  uint8_t buffer[8];
  writeSendTime(buffer, Micros(123'456'789'012));
  EXPECT_EQ(buffer[0], kSendTimeTag);
  EXPECT_EQ(readSendTime(buffer), Micros(123'456'789'012));
  buffer[0] = 0;
  EXPECT_FALSE(readSendTime(buffer).has_value());
}

TEST(SyntheticMedia, KeyframeSplitsIntoDescribedPacketsWithSendTimes) {
  Vp8FramePacketizer::Frame frame;
  frame.keyframe = true;
  frame.pictureId = 0x1234;
  frame.width = 640;
  frame.height = 360;
  frame.sendTime = Micros(42'000'000);
  frame.frameBytes = 10'000;
  Vp8FramePacketizer packetizer(frame, 1100);
  ASSERT_EQ(packetizer.packetCount(), 10u);  // 10,000 bytes at ≤ 1,088 per packet
  std::array<uint8_t, 1200> out;
  size_t total = 0;
  for (size_t i = 0; i < packetizer.packetCount(); ++i) {
    const size_t n = packetizer.write(i, out);
    ASSERT_GT(n, 0u);
    EXPECT_LE(n, 1100u);
    const ByteView payload(out.data(), n);
    auto d = rtp::Vp8PayloadDescriptor::parse(payload);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->startOfPartition, i == 0);
    EXPECT_EQ(d->partitionIndex, 0);
    EXPECT_TRUE(d->hasPictureId);
    EXPECT_EQ(d->pictureId, 0x1234);
    EXPECT_EQ(rtp::isVp8Keyframe(payload), i == 0);
    EXPECT_EQ(readVp8SendTime(payload), frame.sendTime);
    total += n - kVp8DescriptorSize - kSendTimeSize;
  }
  EXPECT_EQ(total, frame.frameBytes);
  // RFC 6386 §9.1: dimensions after the start code.
  packetizer.write(0, out);
  EXPECT_EQ(out[4 + 6] | (out[4 + 7] << 8), 640);
  EXPECT_EQ(out[4 + 8] | (out[4 + 9] << 8), 360);
}

TEST(SyntheticMedia, InterframeIsNoKeyframeAndCarriesSendTime) {
  Vp8FramePacketizer::Frame frame;
  frame.sendTime = Micros(7);
  frame.frameBytes = 500;
  Vp8FramePacketizer packetizer(frame, 1100);
  ASSERT_EQ(packetizer.packetCount(), 1u);
  std::array<uint8_t, 1200> out;
  const size_t n = packetizer.write(0, out);
  EXPECT_EQ(n, 500 + kVp8DescriptorSize + kSendTimeSize);
  EXPECT_FALSE(rtp::isVp8Keyframe(ByteView(out.data(), n)));
  EXPECT_EQ(readVp8SendTime(ByteView(out.data(), n)), Micros(7));
}

TEST(SyntheticMedia, TinyFrameStillHoldsTheKeyframeHeader) {
  Vp8FramePacketizer::Frame frame;
  frame.keyframe = true;
  frame.frameBytes = 1;
  Vp8FramePacketizer packetizer(frame, 1100);
  std::array<uint8_t, 1200> out;
  const size_t n = packetizer.write(0, out);
  EXPECT_EQ(n, kVp8DescriptorSize + kVp8KeyframeHeaderSize + kSendTimeSize);
  EXPECT_TRUE(rtp::isVp8Keyframe(ByteView(out.data(), n)));
}

TEST(SyntheticMedia, ForeignVp8PayloadHasNoSendTime) {
  // A browser's packet: descriptor without extensions, frame tag, then bitstream.
  const uint8_t payload[] = {0x10, 0x31, 0x02, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_FALSE(readVp8SendTime(payload).has_value());
}

TEST(SyntheticMedia, OpusPayloadCarriesSendTime) {
  std::array<uint8_t, 100> out;
  EXPECT_EQ(writeOpusPayload(out, Micros(99), 80), 80u);
  EXPECT_EQ(out[0], kOpusToc);
  EXPECT_EQ(readOpusSendTime(ByteView(out.data(), 80)), Micros(99));
  EXPECT_EQ(writeOpusPayload(MutableByteView(out.data(), 4), Micros(1), 80), 0u);
}

}  // namespace
}  // namespace medrtc::client
