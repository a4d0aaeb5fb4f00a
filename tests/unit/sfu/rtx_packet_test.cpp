#include "sfu/rtx_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/rtp_packet_builder.hpp"
#include "rtp/rtp_packet_view.hpp"

namespace medrtc::sfu {
namespace {

TEST(RtxPacket, CarriesTheOriginalSequenceNumberThenThePayload) {
  std::array<uint8_t, 200> original{};
  rtp::RtpPacketBuilder builder;
  builder.payloadType(96).sequenceNumber(700).timestamp(1234).ssrc(0xAABBCCDD).marker(true);
  std::vector<uint8_t> payload = {1, 2, 3, 4, 5};
  size_t n = *builder.write(MutableByteView(original), ByteView(payload));
  std::array<uint8_t, 300> out{};
  size_t size = writeRtxPacket(ByteView(original.data(), n), 0xBEEF, MutableByteView(out));
  ASSERT_EQ(size, n + 2);
  auto view = rtp::RtpPacketView::parse(MutableByteView(out.data(), size));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->timestamp(), 1234u);
  EXPECT_TRUE(view->marker());
  ASSERT_EQ(view->payload().size(), 7u);
  EXPECT_EQ(readU16(view->payload().data()), 0xBEEF);
  EXPECT_EQ(view->payload()[2], 1);
  EXPECT_EQ(view->payload()[6], 5);
}

TEST(RtxPacket, DropsPaddingAndKeepsHeaderExtensions) {
  // V=2 P=1 X=1, one-byte extension block of one word, payload 2 bytes, 3 bytes padding.
  std::vector<uint8_t> original = {0xB0, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7,
                                   0xBE, 0xDE, 0, 1, 0x10, 0x55, 0, 0,
                                   0xAA, 0xBB, 0, 0, 3};
  std::array<uint8_t, 64> out{};
  size_t size = writeRtxPacket(ByteView(original), 1, MutableByteView(out));
  ASSERT_EQ(size, 20u + 2 + 2);
  EXPECT_EQ(out[0] & 0x20, 0);  // no padding flag
  EXPECT_EQ(out[16], 0x10);     // the extension element is still there
  EXPECT_EQ(out[22], 0xAA);
  EXPECT_EQ(out[23], 0xBB);
}

TEST(RtxPacket, RefusesMalformedInputAndSmallBuffers) {
  std::array<uint8_t, 64> out{};
  std::vector<uint8_t> shortPacket = {0x80, 96, 0, 1};
  EXPECT_EQ(writeRtxPacket(ByteView(shortPacket), 1, MutableByteView(out)), 0u);
  std::vector<uint8_t> badExtension = {0x90, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7, 0xBE, 0xDE, 0xFF, 0xFF};
  EXPECT_EQ(writeRtxPacket(ByteView(badExtension), 1, MutableByteView(out)), 0u);
  std::vector<uint8_t> hugePadding = {0xA0, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7, 1, 200};
  EXPECT_EQ(writeRtxPacket(ByteView(hugePadding), 1, MutableByteView(out)), 0u);
  std::vector<uint8_t> fine = {0x80, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7, 1, 2, 3};
  std::array<uint8_t, 16> small{};
  EXPECT_EQ(writeRtxPacket(ByteView(fine), 1, MutableByteView(small)), 0u);
}

}  // namespace
}  // namespace medrtc::sfu
