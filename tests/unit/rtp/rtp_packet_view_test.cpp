#include "rtp/rtp_packet_view.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "rtp/demux.hpp"
#include "rtp/rtp_packet_builder.hpp"

namespace medrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

// V=2, PT=111, seq=0x1234, ts=0xDEADBEEF, ssrc=0x01020304, payload "abc".
Bytes minimalPacket() {
  return {0x80, 0x6F, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 'a', 'b', 'c'};
}

TEST(RtpDemux, ClassifiesByFirstAndSecondByte) {
  const Bytes rtp = minimalPacket();
  EXPECT_TRUE(looksLikeRtpOrRtcp(rtp));
  EXPECT_FALSE(isRtcp(rtp));
  const Bytes rr = {0x80, 201, 0x00, 0x01, 0, 0, 0, 1};
  EXPECT_TRUE(isRtcp(rr));
  const Bytes stun = {0x00, 0x01, 0x00, 0x00};
  EXPECT_FALSE(looksLikeRtpOrRtcp(stun));
  const Bytes dtls = {22, 0xFE, 0xFD};
  EXPECT_FALSE(looksLikeRtpOrRtcp(dtls));
  // Marker bit + PT 96 is 0xE0 = 224: still RTP, just past the RTCP range.
  const Bytes markedVideo = {0x80, 0xE0, 0, 0};
  EXPECT_FALSE(isRtcp(markedVideo));
  EXPECT_FALSE(looksLikeRtpOrRtcp(ByteView{}));
}

TEST(RtpPacketView, ParsesFixedHeader) {
  Bytes b = minimalPacket();
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->marker());
  EXPECT_EQ(p->payloadType(), 111);
  EXPECT_EQ(p->sequenceNumber(), 0x1234);
  EXPECT_EQ(p->timestamp(), 0xDEADBEEFu);
  EXPECT_EQ(p->ssrc(), 0x01020304u);
  EXPECT_EQ(p->headerSize(), 12u);
  EXPECT_EQ(p->size(), 15u);
  ASSERT_EQ(p->payload().size(), 3u);
  EXPECT_EQ(p->payload()[0], 'a');
  EXPECT_FALSE(p->hasExtension());
  EXPECT_FALSE(p->extension(1).has_value());
}

TEST(RtpPacketView, ParsesCsrcs) {
  Bytes b = {0x82, 0xE0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xAA, 0xAA, 0xAA, 0xAA, 0xBB, 0xBB, 0xBB, 0xBB, 9};
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payloadType(), 96);
  EXPECT_EQ(p->csrcCount(), 2);
  EXPECT_EQ(p->csrc(0), 0xAAAAAAAAu);
  EXPECT_EQ(p->csrc(1), 0xBBBBBBBBu);
  EXPECT_EQ(p->headerSize(), 20u);
  ASSERT_EQ(p->payload().size(), 1u);
  EXPECT_EQ(p->payload()[0], 9);
}

TEST(RtpPacketView, RejectsBadVersionAndCsrcOverflow) {
  Bytes b = minimalPacket();
  b[0] = 0x40;
  EXPECT_EQ(RtpPacketView::parse(b).error(), RtpError::kBadVersion);
  Bytes c = minimalPacket();
  c[0] = 0x81;  // one CSRC but only 3 bytes follow
  EXPECT_EQ(RtpPacketView::parse(c).error(), RtpError::kCsrcOverflow);
}

// One-byte extensions (RFC 8285 §4.2): id 1 len 1 (audio level), id 3 len 2 (twcc),
// a padding byte, id 4 len 3 (abs-send-time), id 5 "mid" → 1+1 + 1+2 + 1 + 1+3 + 1+1 = 12.
Bytes oneBytePacket() {
  Bytes b = {0x90, 0x6F, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
             0xBE, 0xDE, 0x00, 0x03,                  // profile, 3 words
             0x10, 0x85,                              // id 1, L=0: V=1, level 5
             0x31, 0xAB, 0xCD,                        // id 3, L=1: 0xABCD
             0x00,                                    // padding
             0x42, 0x12, 0x34, 0x56,                  // id 4, L=2: 0x123456
             0x50, '0',                               // id 5, L=0: "0"
             'p', 'a', 'y'};
  return b;
}

TEST(RtpPacketView, ReadsOneByteExtensions) {
  Bytes b = oneBytePacket();
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->hasExtension());
  EXPECT_EQ(p->extensionProfile(), 0xBEDE);
  EXPECT_EQ(p->headerSize(), 28u);
  EXPECT_EQ(p->payload().size(), 3u);
  auto level = p->audioLevel(1);
  ASSERT_TRUE(level.has_value());
  EXPECT_TRUE(level->voiceActivity);
  EXPECT_EQ(level->level, 5);
  EXPECT_EQ(p->transportSequenceNumber(3), 0xABCD);
  EXPECT_EQ(p->absSendTime(4), 0x123456u);
  EXPECT_EQ(p->mid(5), "0");
  EXPECT_FALSE(p->extension(2).has_value());
  EXPECT_FALSE(p->extension(0).has_value());
  EXPECT_FALSE(p->extension(15).has_value());
  // Wrong-length reads are refused rather than misread.
  EXPECT_FALSE(p->transportSequenceNumber(4).has_value());
  EXPECT_FALSE(p->absSendTime(3).has_value());
}

TEST(RtpPacketView, RewritesInPlace) {
  Bytes b = oneBytePacket();
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  p->setSsrc(0xCAFEBABE);
  p->setSequenceNumber(0xFFFF);
  p->setTimestamp(42);
  p->setPayloadType(100);
  p->setMarker(true);
  EXPECT_TRUE(p->setTransportSequenceNumber(3, 0x0102));
  EXPECT_FALSE(p->setTransportSequenceNumber(2, 1));
  EXPECT_FALSE(p->setTransportSequenceNumber(4, 1));  // 3-byte element: not a twcc number
  auto again = RtpPacketView::parse(b);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ssrc(), 0xCAFEBABEu);
  EXPECT_EQ(again->sequenceNumber(), 0xFFFF);
  EXPECT_EQ(again->timestamp(), 42u);
  EXPECT_EQ(again->payloadType(), 100);
  EXPECT_TRUE(again->marker());
  EXPECT_EQ(again->transportSequenceNumber(3), 0x0102);
  EXPECT_EQ(b[0], 0x90);  // the other header bits untouched
  p->setMarker(false);
  EXPECT_EQ(b[1], 100);
}

TEST(RtpPacketView, StopsAtReservedId15) {
  Bytes b = {0x90, 0x6F, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0x00, 0x01, 0xF0, 0x00, 0x21, 0x07};
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->extension(2).has_value());
}

TEST(RtpPacketView, MalformedElementEndsScanWithoutReadingPastBlock) {
  // id 1 claims 16 bytes in a 4-byte block.
  Bytes b = {0x90, 0x6F, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0x00, 0x01, 0x1F, 1, 2, 3, 0xFF};
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->extension(1).has_value());
  EXPECT_EQ(p->payload().size(), 1u);
}

TEST(RtpPacketView, ReadsTwoByteExtensions) {
  // Profile 0x1000 (appbits 0): id 1 len 0, padding, id 20 len 2, id 3 len 5 "probe".
  Bytes b = {0x90, 0x6F, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
             0x10, 0x00, 0x00, 0x04,           // 4 words = 16 bytes
             0x01, 0x00,                       // id 1, empty
             0x00,                             // padding
             0x14, 0x02, 0x00, 0x07,           // id 20: 7
             0x03, 0x05, 'p', 'r', 'o', 'b', 'e',
             0x00, 0x00,                       // padding to 16
             0x77};
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->extensionProfile(), 0x1000);
  ASSERT_TRUE(p->extension(1).has_value());
  EXPECT_TRUE(p->extension(1)->empty());
  EXPECT_EQ(p->transportSequenceNumber(20), 7);
  EXPECT_EQ(p->mid(3), "probe");
  EXPECT_FALSE(p->mid(1).has_value());
  ASSERT_EQ(p->payload().size(), 1u);
  EXPECT_EQ(p->payload()[0], 0x77);
  EXPECT_TRUE(p->setTransportSequenceNumber(20, 0xBEEF));
  EXPECT_EQ(p->transportSequenceNumber(20), 0xBEEF);
}

TEST(RtpPacketView, UnknownProfileIsSkippedNotParsed) {
  Bytes b = {0x90, 0x6F, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x12, 0x34, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x55};
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->headerSize(), 20u);
  EXPECT_FALSE(p->extension(1).has_value());
}

TEST(RtpPacketView, StripsPadding) {
  Bytes b = minimalPacket();
  b[0] |= 0x20;
  b.insert(b.end(), {0, 0, 3});
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->hasPadding());
  EXPECT_EQ(p->paddingSize(), 3u);
  EXPECT_EQ(p->payload().size(), 3u);
  EXPECT_EQ(p->size(), 18u);
}

TEST(RtpPacketView, PaddingOnlyPacketHasEmptyPayload) {
  Bytes b = minimalPacket();
  b.resize(12);
  b[0] |= 0x20;
  b.insert(b.end(), {0, 0, 0, 4});
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->payload().empty());
}

TEST(RtpPacketView, RejectsBadPadding) {
  Bytes zero = minimalPacket();
  zero[0] |= 0x20;
  zero.back() = 0;
  EXPECT_EQ(RtpPacketView::parse(zero).error(), RtpError::kBadPadding);
  Bytes tooLong = minimalPacket();
  tooLong[0] |= 0x20;
  tooLong.back() = 4;  // only 3 payload bytes
  EXPECT_EQ(RtpPacketView::parse(tooLong).error(), RtpError::kBadPadding);
}

TEST(RtpPacketView, RejectsEveryTruncation) {
  // A packet with CSRC, extension and padding: every strict prefix must fail cleanly or
  // parse to something self-consistent, and prefixes inside the header must fail.
  Bytes b = oneBytePacket();
  b[0] = static_cast<uint8_t>(b[0] | 0x01);  // add one CSRC
  b.insert(b.begin() + 12, {9, 9, 9, 9});
  b[0] |= 0x20;
  b.insert(b.end(), {0, 2});
  ASSERT_TRUE(RtpPacketView::parse(b).ok());
  const size_t headerSize = RtpPacketView::parse(b)->headerSize();
  for (size_t n = 0; n < b.size(); ++n) {
    Bytes prefix(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
    auto p = RtpPacketView::parse(prefix);
    if (n < headerSize) {
      EXPECT_FALSE(p.ok()) << "prefix " << n;
    } else if (p.ok()) {
      EXPECT_LE(p->headerSize() + p->paddingSize(), n);
    }
  }
}

TEST(RtpPacketBuilder, WritesOneByteExtensionsThatParseBack) {
  const uint8_t twcc[] = {0x01, 0x02};
  const uint8_t level[] = {0x85};
  const uint8_t payload[] = {1, 2, 3, 4};
  uint8_t buf[128];
  RtpPacketBuilder builder;
  builder.payloadType(96).marker(true).sequenceNumber(65535).timestamp(90000).ssrc(0x11223344);
  builder.addExtension(3, twcc).addExtension(1, level).addCsrc(0x55667788);
  auto size = builder.write(buf, payload);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, builder.sizeFor(sizeof(payload)));
  // 12 + 4 csrc + 4 ext header + (3 + 2 → 8) + 4 payload
  EXPECT_EQ(*size, 32u);
  auto p = RtpPacketView::parse(MutableByteView(buf, *size));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->extensionProfile(), kOneByteExtensionProfile);
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payloadType(), 96);
  EXPECT_EQ(p->sequenceNumber(), 65535);
  EXPECT_EQ(p->timestamp(), 90000u);
  EXPECT_EQ(p->ssrc(), 0x11223344u);
  EXPECT_EQ(p->csrc(0), 0x55667788u);
  EXPECT_EQ(p->transportSequenceNumber(3), 0x0102);
  EXPECT_EQ(p->audioLevel(1)->level, 5);
  ASSERT_EQ(p->payload().size(), 4u);
  EXPECT_EQ(p->payload()[3], 4);
}

TEST(RtpPacketBuilder, FallsBackToTwoByteFormAndPads) {
  const uint8_t big[20] = {7};
  const uint8_t payload[] = {9};
  uint8_t buf[128];
  RtpPacketBuilder builder;
  builder.ssrc(1).addExtension(200, big).padding(4);
  auto size = builder.write(buf, payload);
  ASSERT_TRUE(size.ok());
  auto p = RtpPacketView::parse(MutableByteView(buf, *size));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->extensionProfile(), kTwoByteExtensionProfile);
  ASSERT_TRUE(p->extension(200).has_value());
  EXPECT_EQ(p->extension(200)->size(), 20u);
  EXPECT_EQ(p->paddingSize(), 4u);
  ASSERT_EQ(p->payload().size(), 1u);
  EXPECT_EQ(p->payload()[0], 9);
}

TEST(RtpPacketBuilder, RefusesSmallBuffer) {
  uint8_t buf[12];
  const uint8_t payload[] = {1};
  RtpPacketBuilder builder;
  EXPECT_EQ(builder.write(buf, payload).error(), RtpError::kBufferTooSmall);
  builder.addExtension(0, payload);
  uint8_t big[64];
  EXPECT_EQ(builder.write(big, payload).error(), RtpError::kBadExtension);
}

}  // namespace
}  // namespace medrtc::rtp
