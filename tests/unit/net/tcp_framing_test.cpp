// RFC 4571 framing as ICE-TCP (RFC 6544 §3) uses it: a 16-bit length before each packet.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/tcp_framing.hpp"

namespace medrtc::net {
namespace {

std::vector<uint8_t> framed(const std::vector<std::vector<uint8_t>>& packets) {
  std::vector<uint8_t> out;
  for (const auto& p : packets) {
    uint8_t header[2];
    EXPECT_TRUE(writeRfc4571Header(header, p.size()));
    out.insert(out.end(), header, header + 2);
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

std::vector<uint8_t> packetOf(size_t size, uint8_t first) {
  std::vector<uint8_t> p(size);
  for (size_t i = 0; i < size; ++i) {
    p[i] = static_cast<uint8_t>(first + i);
  }
  return p;
}

struct Collected {
  std::vector<std::vector<uint8_t>> frames;
  Rfc4571Reader::FrameHandler handler() {
    return [this](MutableByteView f) { frames.emplace_back(f.begin(), f.end()); };
  }
};

TEST(Rfc4571Reader, ReadsSeveralFramesFromOneChunk) {
  auto a = packetOf(20, 0x00);   // a STUN-sized packet
  auto b = packetOf(1, 0x16);    // one byte
  auto c = packetOf(1500, 0x80); // the largest we accept
  auto stream = framed({a, b, c});
  Rfc4571Reader reader;
  Collected got;
  ASSERT_TRUE(reader.feed(ByteView(stream), got.handler()).ok());
  ASSERT_EQ(got.frames.size(), 3u);
  EXPECT_EQ(got.frames[0], a);
  EXPECT_EQ(got.frames[1], b);
  EXPECT_EQ(got.frames[2], c);
  EXPECT_FALSE(reader.midFrame());
  EXPECT_EQ(reader.framesRead(), 3u);
}

TEST(Rfc4571Reader, ReassemblesFramesSplitAtEveryByte) {
  auto a = packetOf(100, 0x01);
  auto b = packetOf(300, 0x90);
  auto stream = framed({a, b});
  Rfc4571Reader reader;
  Collected got;
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(reader.feed(ByteView(&stream[i], 1), got.handler()).ok());
    // A frame is delivered exactly when its last byte arrives, never before.
    size_t expected = i + 1 >= stream.size() ? 2 : (i + 1 >= 2 + a.size() ? 1 : 0);
    ASSERT_EQ(got.frames.size(), expected) << "after byte " << i;
  }
  EXPECT_EQ(got.frames[0], a);
  EXPECT_EQ(got.frames[1], b);
}

TEST(Rfc4571Reader, SplitLengthHeaderIsMidFrame) {
  Rfc4571Reader reader;
  Collected got;
  uint8_t first = 0x00;
  ASSERT_TRUE(reader.feed(ByteView(&first, 1), got.handler()).ok());
  EXPECT_TRUE(reader.midFrame());
  EXPECT_TRUE(got.frames.empty());
}

TEST(Rfc4571Reader, RejectsAnOversizeLengthAndStaysBroken) {
  Rfc4571Reader reader;
  Collected got;
  std::vector<uint8_t> stream = {0x05, 0xDD};  // 1501
  stream.resize(2 + 1501, 0x80);
  auto result = reader.feed(ByteView(stream), got.handler());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), TcpFramingError::kFrameTooLarge);
  EXPECT_TRUE(got.frames.empty());
  // The stream has no frame boundary left: even a well-formed frame is refused now.
  auto good = framed({packetOf(20, 0)});
  EXPECT_FALSE(reader.feed(ByteView(good), got.handler()).ok());
  EXPECT_TRUE(got.frames.empty());
}

TEST(Rfc4571Reader, RejectsTheLargestLength) {
  Rfc4571Reader reader;
  Collected got;
  std::vector<uint8_t> stream = {0xFF, 0xFF};
  auto result = reader.feed(ByteView(stream), got.handler());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), TcpFramingError::kFrameTooLarge);
}

TEST(Rfc4571Reader, RejectsAnEmptyFrame) {
  Rfc4571Reader reader;
  Collected got;
  auto good = framed({packetOf(20, 0)});
  std::vector<uint8_t> stream = good;
  stream.push_back(0);
  stream.push_back(0);
  auto result = reader.feed(ByteView(stream), got.handler());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), TcpFramingError::kEmptyFrame);
  // Frames before the bad length were delivered.
  EXPECT_EQ(got.frames.size(), 1u);
  EXPECT_STREQ(toString(TcpFramingError::kEmptyFrame), "empty frame");
}

TEST(Rfc4571Reader, FrameViewIsWritableInPlace) {
  Rfc4571Reader reader;
  auto stream = framed({packetOf(4, 0x80)});
  ASSERT_TRUE(reader
                  .feed(ByteView(stream),
                        [](MutableByteView f) {
                          f[0] = 0xAA;  // SRTP unprotects in place
                          EXPECT_EQ(f[0], 0xAA);
                        })
                  .ok());
}

TEST(Rfc4571Header, WritesBigEndianLengthsThatFit) {
  uint8_t header[2];
  ASSERT_TRUE(writeRfc4571Header(header, 0x1234));
  EXPECT_EQ(header[0], 0x12);
  EXPECT_EQ(header[1], 0x34);
  ASSERT_TRUE(writeRfc4571Header(header, 0xFFFF));
  EXPECT_FALSE(writeRfc4571Header(header, 0x10000));
}

}  // namespace
}  // namespace medrtc::net
