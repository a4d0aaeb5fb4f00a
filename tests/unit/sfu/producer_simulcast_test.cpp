// Producer with RID simulcast layers (RFC 8853, RFC 8852): SSRCs bind to layers by RID,
// each layer keeps its own statistics and packet cache, and bad input is dropped and
// counted.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/rtp_packet_builder.hpp"
#include "sfu/producer.hpp"

namespace medrtc::sfu {
namespace {

ProducerParameters simulcastParameters() {
  ProducerParameters p;
  p.mid = "1";
  p.kind = "video";
  p.trackId = "cam";
  RtpCodec vp8;
  vp8.payloadType = 120;
  vp8.name = "VP8";
  vp8.clockRate = 90000;
  RtpCodec rtx;
  rtx.payloadType = 121;
  rtx.name = "rtx";
  rtx.clockRate = 90000;
  rtx.rtxFor = 120;
  p.codecs = {vp8, rtx};
  p.forwardedPayloadTypes = {{120, 96}, {121, 97}};
  p.rids = {"q", "h", "f"};
  return p;
}

struct Packet {
  std::array<uint8_t, 1500> buffer{};
  size_t size = 0;
  rtp::RtpPacketView view() { return *rtp::RtpPacketView::parse(MutableByteView(buffer.data(), size)); }
};

Packet makePacket(uint8_t pt, uint16_t seq, uint32_t ssrc, std::vector<uint8_t> payload) {
  Packet p;
  rtp::RtpPacketBuilder builder;
  builder.payloadType(pt).sequenceNumber(seq).timestamp(9000).ssrc(ssrc);
  p.size = *builder.write(MutableByteView(p.buffer), ByteView(payload));
  return p;
}

TEST(ProducerSimulcast, BindsSsrcsToLayersByRidAndDemultiplexes) {
  Producer producer("p1", simulcastParameters());
  ASSERT_TRUE(producer.simulcast());
  ASSERT_EQ(producer.layerCount(), 3u);
  EXPECT_TRUE(producer.bindRid(0xF0, "f", false));
  EXPECT_TRUE(producer.bindRid(0x10, "q", false));
  EXPECT_TRUE(producer.bindRid(0x11, "q", true));  // q's RTX (repaired-rtp-stream-id)
  EXPECT_TRUE(producer.bindRid(0xF0, "f", false));  // the same binding again is fine
  EXPECT_EQ(producer.layer(0).ssrc(), 0x10u);
  EXPECT_EQ(producer.layer(0).rtxSsrc(), 0x11u);
  EXPECT_EQ(producer.layer(2).ssrc(), 0xF0u);

  size_t layer = 99;
  auto high = makePacket(120, 7, 0xF0, {0x10, 1, 2});
  auto highView = high.view();
  ASSERT_EQ(producer.receive(highView, Micros(0), &layer), Producer::Verdict::kForward);
  EXPECT_EQ(layer, 2u);
  auto low = makePacket(120, 7, 0x10, {0x10, 3, 4});  // the same number, another space
  auto lowView = low.view();
  ASSERT_EQ(producer.receive(lowView, Micros(0), &layer), Producer::Verdict::kForward);
  EXPECT_EQ(layer, 0u);
  // Each layer caches its own packet 7.
  ASSERT_TRUE(producer.cache(2).find(7));
  ASSERT_TRUE(producer.cache(0).find(7));
  EXPECT_EQ((*producer.cache(2).find(7))[13], 1);
  EXPECT_EQ((*producer.cache(0).find(7))[13], 3);
  EXPECT_FALSE(producer.cache(1).find(7));
  EXPECT_TRUE(producer.layer(2).active(Micros(500'000)));
  EXPECT_FALSE(producer.layer(1).active(Micros(500'000)));

  // RTX of the low layer unwraps onto the low layer's SSRC.
  auto rtx = makePacket(121, 300, 0x11, {0x00, 0x08, 0x10, 5});
  auto rtxView = rtx.view();
  ASSERT_EQ(producer.receive(rtxView, Micros(1000), &layer), Producer::Verdict::kForward);
  EXPECT_EQ(layer, 0u);
  EXPECT_EQ(rtxView.ssrc(), 0x10u);
  EXPECT_EQ(rtxView.sequenceNumber(), 8);
}

TEST(ProducerSimulcast, UnknownRidIsRefusedAndCounted) {
  Producer producer("p1", simulcastParameters());
  EXPECT_FALSE(producer.bindRid(0x99, "x", false));
  EXPECT_FALSE(producer.bindRid(0x98, "", false));
  EXPECT_EQ(producer.stats().unknownRid, 2u);
  auto packet = makePacket(120, 1, 0x99, {0x10});
  auto view = packet.view();
  EXPECT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(producer.stats().unknownSsrc, 1u);
}

TEST(ProducerSimulcast, ASecondSsrcForABoundLayerIsRefusedAndItsPacketsDropped) {
  Producer producer("p1", simulcastParameters());
  ASSERT_TRUE(producer.bindRid(0x10, "q", false));
  EXPECT_FALSE(producer.bindRid(0x20, "q", false));  // the SSRC changed mid-stream
  EXPECT_EQ(producer.layer(0).ssrc(), 0x10u);
  auto packet = makePacket(120, 1, 0x20, {0x10});
  auto view = packet.view();
  EXPECT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(producer.stats().unknownSsrc, 1u);
  EXPECT_EQ(producer.stats().packets, 0u);
}

TEST(ProducerSimulcast, RtxForAnSsrcNeverAnnouncedIsDroppedAndCounted) {
  Producer producer("p1", simulcastParameters());
  ASSERT_TRUE(producer.bindRid(0x10, "q", false));
  auto rtx = makePacket(121, 1, 0x77, {0x00, 0x01, 0x10});
  auto view = rtx.view();
  EXPECT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(producer.stats().unknownSsrc, 1u);
  EXPECT_EQ(producer.stats().retransmissions, 0u);
}

TEST(ProducerSimulcast, KeyframeRequestsAndReportsArePerLayer) {
  Producer producer("p1", simulcastParameters());
  ASSERT_TRUE(producer.bindRid(0x10, "q", false));
  ASSERT_TRUE(producer.bindRid(0xF0, "f", false));
  producer.requestKeyframe(2);
  EXPECT_FALSE(producer.takeKeyframeRequest(Micros(1'000'000), 0));
  EXPECT_TRUE(producer.takeKeyframeRequest(Micros(1'000'000), 2));
  auto packet = makePacket(120, 1, 0xF0, {0x10});
  auto view = packet.view();
  ASSERT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kForward);
  uint8_t block[24];
  EXPECT_FALSE(producer.writeReportBlock(block, Micros(10), 0));  // nothing on q yet
  ASSERT_TRUE(producer.writeReportBlock(block, Micros(10), 2));
  EXPECT_EQ(readU32(block), 0xF0u);
  producer.onSenderReport(0xF0, 1, 2, 3, Micros(5));
  EXPECT_TRUE(producer.senderClock(2));
  EXPECT_FALSE(producer.senderClock(0));
}

TEST(ProducerSimulcast, WithoutRidsOneLayerKeepsTheSignalledSsrcs) {
  ProducerParameters p = simulcastParameters();
  p.rids.clear();
  p.ssrc = 0x1234;
  Producer producer("p1", p);
  EXPECT_FALSE(producer.simulcast());
  EXPECT_EQ(producer.layerCount(), 1u);
  EXPECT_EQ(producer.ssrc(), 0x1234u);
  auto packet = makePacket(120, 1, 0x5555, {0x10});  // another SSRC on this track
  auto view = packet.view();
  EXPECT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(producer.stats().unknownSsrc, 1u);
}

}  // namespace
}  // namespace medrtc::sfu
