#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "rtp/h264.hpp"
#include "rtp/vp8.hpp"

namespace medrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

// VP8 key frame payload header (RFC 6386 §9.1): frame tag with P=0, then 9d 01 2a, then
// width/height 640x480.
const Bytes kVp8KeyHeader = {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01};
const Bytes kVp8DeltaHeader = {0x31, 0x0b, 0x00, 0x00, 0x00};

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(Vp8, MinimalDescriptorKeyframe) {
  EXPECT_TRUE(isVp8Keyframe(concat({0x10}, kVp8KeyHeader)));  // S=1, PID=0
  EXPECT_FALSE(isVp8Keyframe(concat({0x10}, kVp8DeltaHeader)));
  EXPECT_FALSE(isVp8Keyframe(concat({0x00}, kVp8KeyHeader)));  // not start of partition
  EXPECT_FALSE(isVp8Keyframe(concat({0x11}, kVp8KeyHeader)));  // partition 1
  EXPECT_FALSE(isVp8Keyframe(Bytes{0x10, 0x50}));              // frame tag truncated
  EXPECT_FALSE(isVp8Keyframe(Bytes{}));
}

TEST(Vp8, StartCodeIsChecked) {
  Bytes bad = concat({0x10}, kVp8KeyHeader);
  bad[4] = 0x00;
  EXPECT_FALSE(isVp8Keyframe(bad));
}

TEST(Vp8, ParsesAllExtensionFields) {
  // X=1 S=1; I L T K all set; 15-bit picture id 0x1234; TL0PICIDX 7; TID 2, Y=1, KEYIDX 5.
  const Bytes descriptor = {0x90, 0xF0, 0x80 | 0x12, 0x34, 0x07, (2 << 6) | 0x20 | 5};
  const Bytes payload = concat(descriptor, kVp8KeyHeader);
  auto d = Vp8PayloadDescriptor::parse(payload);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->startOfPartition);
  EXPECT_FALSE(d->nonReference);
  EXPECT_EQ(d->partitionIndex, 0);
  EXPECT_TRUE(d->hasPictureId);
  EXPECT_TRUE(d->pictureId15Bit);
  EXPECT_EQ(d->pictureId, 0x1234);
  EXPECT_TRUE(d->hasTl0PicIdx);
  EXPECT_EQ(d->tl0PicIdx, 7);
  EXPECT_TRUE(d->hasTid);
  EXPECT_EQ(d->tid, 2);
  EXPECT_TRUE(d->layerSync);
  EXPECT_TRUE(d->hasKeyIdx);
  EXPECT_EQ(d->keyIdx, 5);
  EXPECT_EQ(d->size, 6u);
  EXPECT_TRUE(isVp8Keyframe(payload));
}

TEST(Vp8, SevenBitPictureIdAndKeyIdxOnly) {
  const Bytes descriptor = {0xB0, 0x90, 0x45, 0x1F};  // X, N, S; I and K; pid 0x45; keyidx 31
  auto d = Vp8PayloadDescriptor::parse(concat(descriptor, kVp8DeltaHeader));
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->nonReference);
  EXPECT_FALSE(d->pictureId15Bit);
  EXPECT_EQ(d->pictureId, 0x45);
  EXPECT_FALSE(d->hasTid);
  EXPECT_EQ(d->keyIdx, 31);
  EXPECT_EQ(d->size, 4u);
}

TEST(Vp8, TruncatedDescriptorsAreRejected) {
  const Bytes full = {0x90, 0xF0, 0x92, 0x34, 0x07, 0x65};
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(Vp8PayloadDescriptor::parse(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n))))
        << n;
  }
  EXPECT_TRUE(Vp8PayloadDescriptor::parse(full).has_value());
}

TEST(H264, SingleNalUnits) {
  EXPECT_TRUE(isH264Keyframe(Bytes{0x65, 0x88, 0x84}));   // IDR (type 5, NRI 3)
  EXPECT_TRUE(isH264Keyframe(Bytes{0x67, 0x42, 0xc0}));   // SPS
  EXPECT_FALSE(isH264Keyframe(Bytes{0x68, 0xce, 0x3c}));  // PPS alone
  EXPECT_FALSE(isH264Keyframe(Bytes{0x41, 0x9a, 0x00}));  // non-IDR slice
  EXPECT_FALSE(isH264Keyframe(Bytes{}));
}

TEST(H264, StapAWithSpsPpsIdr) {
  // STAP-A (0x78): SPS of 3 bytes, PPS of 2 bytes.
  EXPECT_TRUE(isH264Keyframe(Bytes{0x78, 0x00, 0x03, 0x67, 0x42, 0xc0, 0x00, 0x02, 0x68, 0xce}));
  // PPS then IDR.
  EXPECT_TRUE(isH264Keyframe(Bytes{0x78, 0x00, 0x02, 0x68, 0xce, 0x00, 0x02, 0x65, 0x88}));
  // Only non-key NAL units.
  EXPECT_FALSE(isH264Keyframe(Bytes{0x78, 0x00, 0x02, 0x68, 0xce, 0x00, 0x02, 0x41, 0x9a}));
  // A size running past the end stops the scan.
  EXPECT_FALSE(isH264Keyframe(Bytes{0x78, 0x00, 0x09, 0x68, 0xce, 0x00, 0x02, 0x65, 0x88}));
}

TEST(H264, FuAStartOfIdr) {
  EXPECT_TRUE(isH264Keyframe(Bytes{0x7c, 0x85, 0x88}));   // FU-A, S=1, type 5
  EXPECT_FALSE(isH264Keyframe(Bytes{0x7c, 0x05, 0x88}));  // middle fragment
  EXPECT_FALSE(isH264Keyframe(Bytes{0x7c, 0x81, 0x9a}));  // start of a non-IDR slice
  EXPECT_FALSE(isH264Keyframe(Bytes{0x7c}));
}

}  // namespace
}  // namespace medrtc::rtp
