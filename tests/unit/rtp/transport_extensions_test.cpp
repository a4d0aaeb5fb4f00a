#include "rtp/transport_extensions.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/rtp_packet_view.hpp"

namespace medrtc::rtp {
namespace {

// A publisher's packet: one CSRC, a one-byte extension block with its own ids (mid=1 "0",
// a transport-wide seq under id 3, audio level under id 5), 3 payload bytes, 2 padding bytes.
std::vector<uint8_t> publisherPacket() {
  return {0xB1, 0x60, 0x12, 0x34, 0, 0, 0x10, 0, 0xAA, 0xBB, 0xCC, 0xDD,  // V=2 P X CC=1
          0x01, 0x02, 0x03, 0x04,                                           // CSRC
          0xBE, 0xDE, 0x00, 0x02,                                           // 2 words
          0x10, '0', 0x31, 0x00, 0x07, 0x50, 0x85, 0x00,                    // mid, tcc 7, level
          'a', 'b', 'c', 0x00, 0x02};
}

TEST(TransportExtensions, ReplacesThePublishersBlock) {
  auto in = publisherPacket();
  std::array<uint8_t, 64> out{};
  size_t n = writeWithTransportExtensions(in, out, TransportExtensions{2, 0xABCDEF, 9, 0x1234});
  ASSERT_GT(n, 0u);
  auto view = RtpPacketView::parse(MutableByteView(out.data(), n));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->sequenceNumber(), 0x1234);
  EXPECT_EQ(view->ssrc(), 0xAABBCCDDu);
  EXPECT_EQ(view->csrcCount(), 1);
  EXPECT_EQ(view->csrc(0), 0x01020304u);
  EXPECT_EQ(view->absSendTime(2), 0xABCDEFu);
  EXPECT_EQ(view->transportSequenceNumber(9), 0x1234);
  EXPECT_FALSE(view->mid(1));  // the publisher's ids are gone
  EXPECT_FALSE(view->transportSequenceNumber(3));
  EXPECT_EQ(view->paddingSize(), 2u);
  ASSERT_EQ(view->payload().size(), 3u);
  EXPECT_EQ(view->payload()[0], 'a');
}

TEST(TransportExtensions, AddsABlockToAPacketWithout) {
  std::vector<uint8_t> in = {0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 'x', 'y'};
  std::array<uint8_t, 64> out{};
  size_t n = writeWithTransportExtensions(in, out, TransportExtensions{0, 0, 4, 77});
  ASSERT_EQ(n, in.size() + 8);  // 4-byte block header + 3 bytes of element + 1 pad
  auto view = RtpPacketView::parse(MutableByteView(out.data(), n));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->transportSequenceNumber(4), 77);
  EXPECT_EQ(view->payload().size(), 2u);
}

TEST(TransportExtensions, NoIdsStripsTheBlock) {
  auto in = publisherPacket();
  std::array<uint8_t, 64> out{};
  size_t n = writeWithTransportExtensions(in, out, TransportExtensions{});
  auto view = RtpPacketView::parse(MutableByteView(out.data(), n));
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->hasExtension());
  EXPECT_EQ(view->payload().size(), 3u);
}

TEST(TransportExtensions, MalformedOrTooSmallGivesZero) {
  auto in = publisherPacket();
  std::array<uint8_t, 64> out{};
  std::array<uint8_t, 10> small{};
  EXPECT_EQ(writeWithTransportExtensions(in, small, TransportExtensions{2, 1, 3, 1}), 0u);
  in[19] = 0x40;  // extension length past the end
  EXPECT_EQ(writeWithTransportExtensions(in, out, TransportExtensions{2, 1, 3, 1}), 0u);
  EXPECT_EQ(writeWithTransportExtensions(ByteView(in.data(), 8), out, TransportExtensions{}), 0u);
}

TEST(TransportExtensions, AbsSendTimeIsSixEighteenFixedPoint) {
  EXPECT_EQ(absSendTimeOf(1'000'000), 1u << 18);
  EXPECT_EQ(absSendTimeOf(500'000), 1u << 17);
  EXPECT_EQ(absSendTimeOf(64'000'000), 0u);  // wraps every 64 s
}

}  // namespace
}  // namespace medrtc::rtp
