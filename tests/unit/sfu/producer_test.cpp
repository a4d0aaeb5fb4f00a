#include "sfu/producer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/rtp_packet_builder.hpp"
#include "sfu/rtp_packet_cache.hpp"

namespace medrtc::sfu {
namespace {

constexpr uint32_t kSsrc = 0x11223344;
constexpr uint32_t kRtxSsrc = 0x55667788;

ProducerParameters vp8Parameters() {
  ProducerParameters p;
  p.mid = "1";
  p.kind = "video";
  p.trackId = "cam";
  RtpCodec vp8;
  vp8.payloadType = 120;  // the publisher's own numbering
  vp8.name = "VP8";
  vp8.clockRate = 90000;
  RtpCodec rtx;
  rtx.payloadType = 121;
  rtx.name = "rtx";
  rtx.clockRate = 90000;
  rtx.rtxFor = 120;
  p.codecs = {vp8, rtx};
  p.forwardedPayloadTypes = {{120, 96}, {121, 97}};  // the control side's table
  p.ssrc = kSsrc;
  p.rtxSsrc = kRtxSsrc;
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

TEST(Producer, MapsPublisherPayloadTypeToCanonical) {
  Producer producer("p1", vp8Parameters());
  EXPECT_EQ(producer.canonicalPayloadType(120), std::optional<uint8_t>(96));
  EXPECT_FALSE(producer.canonicalPayloadType(33).has_value());
}

TEST(Producer, DropsPacketsOfUnnegotiatedPayloadType) {
  Producer producer("p1", vp8Parameters());
  auto packet = makePacket(33, 1, kSsrc, {1, 2, 3});
  auto view = packet.view();
  EXPECT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(producer.stats().unknownPayloadType, 1u);
}

TEST(Producer, UnwrapsRtxIntoTheOriginalPacket) {
  Producer producer("p1", vp8Parameters());
  // RFC 4588 §4: RTX payload = original sequence number + original payload.
  auto packet = makePacket(121, 500, kRtxSsrc, {0x12, 0x34, 0x10, 0xAA, 0xBB});
  auto view = packet.view();
  ASSERT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kForward);
  EXPECT_EQ(view.ssrc(), kSsrc);
  EXPECT_EQ(view.sequenceNumber(), 0x1234);
  EXPECT_EQ(view.payloadType(), 120);
  ASSERT_EQ(view.payload().size(), 3u);
  EXPECT_EQ(view.payload()[0], 0x10);
  EXPECT_EQ(producer.stats().retransmissions, 1u);
}

TEST(Producer, CachesVideoForNackAnswers) {
  Producer producer("p1", vp8Parameters());
  auto packet = makePacket(120, 7, kSsrc, {0x10, 1, 2});
  auto view = packet.view();
  ASSERT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kForward);
  auto cached = producer.cache().find(7);
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->size(), packet.size);
  EXPECT_FALSE(producer.cache().find(8).has_value());
}

TEST(Producer, KeepsPacketsForFourRoundTripsOfTheSlowestRecentSubscriber) {
  Producer producer("p1", vp8Parameters());
  EXPECT_EQ(producer.cache().retention(), RtpPacketCache::kDefaultRetention);
  producer.observeRoundTrip(Micros(150'000));
  EXPECT_EQ(producer.cache().retention(), Micros(600'000));
  // A faster subscriber does not cut what the slow one still needs; the slow RTT decays.
  producer.observeRoundTrip(Micros(10'000));
  EXPECT_EQ(producer.cache().retention(), Micros(4 * (150'000 - 150'000 / 8)));
  // Loopback-fast and satellite-slow links stay within the bounds.
  Producer fast("p2", vp8Parameters());
  fast.observeRoundTrip(Micros(1'000));
  EXPECT_EQ(fast.cache().retention(), Producer::kMinRetention);
  fast.observeRoundTrip(Micros(900'000));
  EXPECT_EQ(fast.cache().retention(), Producer::kMaxRetention);
}

TEST(Producer, CollapsesKeyframeRequestsWithinInterval) {
  Producer producer("p1", vp8Parameters());
  EXPECT_FALSE(producer.takeKeyframeRequest(Micros(0)));
  producer.requestKeyframe();
  producer.requestKeyframe();
  EXPECT_TRUE(producer.takeKeyframeRequest(Micros(1'000'000)));
  producer.requestKeyframe();
  EXPECT_FALSE(producer.takeKeyframeRequest(Micros(1'100'000)));  // too soon
  EXPECT_TRUE(producer.takeKeyframeRequest(Micros(1'400'000)));
}

TEST(Producer, VideoResumingAfterASilenceAsksForAKeyframe) {
  Producer producer("p1", vp8Parameters());
  uint16_t seq = 1;
  auto receiveAt = [&](int64_t us) {
    auto packet = makePacket(120, seq++, kSsrc, {0x10, 1, 2});
    auto view = packet.view();
    producer.receive(view, Micros(us));
  };
  receiveAt(0);
  receiveAt(900'000);  // a gap, but short of a silence
  EXPECT_FALSE(producer.takeKeyframeRequest(Micros(950'000)));
  receiveAt(2'000'000);  // 1.1 s without a packet: the link was down
  EXPECT_TRUE(producer.takeKeyframeRequest(Micros(2'000'000)));
}

TEST(Producer, LayerBitrateLeavesOutRetransmissions) {
  // libwebrtc pads its bandwidth probes with retransmissions of packets it sent already:
  // a Firefox 180p layer of ~150 kbit/s measured 1.2 Mbit/s with them counted, and the
  // allocator paused a subscriber whose estimate had room for the layer (issue 12).
  Producer producer("p1", vp8Parameters());
  for (uint16_t i = 0; i <= 10; ++i) {
    int64_t at = int64_t{i} * 100'000;
    auto media = makePacket(120, static_cast<uint16_t>(100 + i), kSsrc, std::vector<uint8_t>(100, 0x10));
    auto view = media.view();
    ASSERT_EQ(producer.receive(view, Micros(at)), Producer::Verdict::kForward);
    for (int k = 0; k < 5; ++k) {  // probe padding: the packet just sent, again, on rtx
      std::vector<uint8_t> rtxPayload(102, 0x10);
      rtxPayload[0] = 0;
      rtxPayload[1] = static_cast<uint8_t>(100 + i);
      auto rtx = makePacket(121, static_cast<uint16_t>(500 + i * 5 + k), kRtxSsrc, rtxPayload);
      auto rtxView = rtx.view();
      producer.receive(rtxView, Micros(at + 10'000));
    }
  }
  EXPECT_TRUE(producer.layer(0).active(Micros(1'000'000)));
  // Ten media packets of 100 bytes in the completed one-second window.
  EXPECT_EQ(producer.layer(0).bitrate(), 8'000u);
}

TEST(Producer, ReportBlockCountsLoss) {
  Producer producer("p1", vp8Parameters());
  for (uint16_t seq : {10, 11, 13, 14}) {  // 12 lost
    auto packet = makePacket(120, seq, kSsrc, {0x10, 0});
    auto view = packet.view();
    producer.receive(view, Micros(seq * 1000));
  }
  uint8_t block[24];
  ASSERT_TRUE(producer.writeReportBlock(block, Micros(20'000)));
  EXPECT_EQ(readU32(block), kSsrc);
  EXPECT_EQ(block[4], 256 / 5);          // fraction lost: 1 of 5
  EXPECT_EQ(readU24(block + 5), 1u);     // cumulative lost
  EXPECT_EQ(readU32(block + 8), 14u);    // extended highest sequence number
}

TEST(Producer, AudioReservesNoPacketCache) {
  ProducerParameters p;
  p.mid = "0";
  p.kind = "audio";
  RtpCodec opus;
  opus.payloadType = 111;
  opus.name = "opus";
  opus.clockRate = 48000;
  opus.channels = 2;
  p.codecs = {opus};
  p.forwardedPayloadTypes = {{111, 111}};
  p.ssrc = kSsrc;
  Producer producer("p1", std::move(p));
  EXPECT_EQ(producer.clockRate(), 48000u);
  auto packet = makePacket(111, 1, kSsrc, {1, 2, 3});
  auto view = packet.view();
  ASSERT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kForward);
  EXPECT_EQ(producer.cache().reservedBytes(), 0u);
}

}  // namespace
}  // namespace medrtc::sfu
