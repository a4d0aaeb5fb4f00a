#include "client/receive_stats.hpp"

#include <gtest/gtest.h>

#include <array>

#include "client/latency_histogram.hpp"
#include "rtp/rtp_packet_builder.hpp"

namespace medrtc::client {
namespace {

struct Packet {
  std::array<uint8_t, 64> bytes{};
  size_t size = 0;
  rtp::RtpPacketView view() { return *rtp::RtpPacketView::parse(MutableByteView(bytes.data(), size)); }
};

Packet make(uint32_t ssrc, uint16_t seq, uint32_t ts) {
  Packet p;
  const uint8_t payload[10] = {};
  rtp::RtpPacketBuilder b;
  b.payloadType(96).ssrc(ssrc).sequenceNumber(seq).timestamp(ts);
  p.size = *b.write(p.bytes, payload);
  return p;
}

TEST(ReceiveStats, CountsLossAcrossWraparound) {
  ReceiveStats stats;
  ReceiveStats::Packet info{MediaKind::kVideo, 90'000, Micros(1000), std::nullopt, false};
  for (uint16_t seq : {65533, 65534, 0, 1, 3}) {  // 65535 and 2 lost
    auto p = make(7, seq, 0);
    auto v = p.view();
    stats.onRtp(v, info);
  }
  const StreamStats* s = stats.find(7);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->packets, 5u);
  EXPECT_EQ(s->expected(), 7u);
  EXPECT_EQ(s->lost(), 2);
  EXPECT_EQ(stats.lost(MediaKind::kVideo), 2);
  EXPECT_EQ(stats.lost(MediaKind::kAudio), 0);

  std::array<rtp::ReportBlock, 4> blocks;
  ASSERT_EQ(stats.writeReportBlocks(blocks, Micros(2000)), 1u);
  EXPECT_EQ(blocks[0].ssrc, 7u);
  EXPECT_EQ(blocks[0].cumulativeLost, 2);
  EXPECT_EQ(blocks[0].fractionLost, (2 << 8) / 7);
  EXPECT_EQ(blocks[0].extendedHighestSequence, 65536u + 3u);
  // The next interval had no loss.
  auto p = make(7, 4, 0);
  auto v = p.view();
  stats.onRtp(v, info);
  stats.writeReportBlocks(blocks, Micros(3000));
  EXPECT_EQ(blocks[0].fractionLost, 0);
}

TEST(ReceiveStats, LatencyFromSendTimeAndLsrFromSenderReport) {
  ReceiveStats stats;
  auto p = make(9, 1, 0);
  auto v = p.view();
  stats.onRtp(v, ReceiveStats::Packet{MediaKind::kAudio, 48'000, Micros(5'000), Micros(4'000), false});
  EXPECT_EQ(stats.find(9)->latency.count(), 1u);
  EXPECT_EQ(stats.find(9)->latency.max(), Micros(1'000));
  stats.onSenderReport(9, 0x0123456789ABCDEFULL, Micros(10'000));
  std::array<rtp::ReportBlock, 1> blocks;
  stats.writeReportBlocks(blocks, Micros(10'000 + 500'000));
  EXPECT_EQ(blocks[0].lastSr, 0x456789ABu);
  EXPECT_EQ(blocks[0].delaySinceLastSr, 32768u);  // 0.5 s in 1/65536 s
}

TEST(LatencyHistogram, PercentilesWithinBucketPrecision) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) {
    h.add(Micros(i * 10));
  }
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.min(), Micros(10));
  EXPECT_EQ(h.max(), Micros(10'000));
  EXPECT_EQ(h.mean(), Micros(5005));
  EXPECT_NEAR(static_cast<double>(h.percentile(0.5).count()), 5000.0, 5000.0 * 0.125);
  EXPECT_NEAR(static_cast<double>(h.percentile(0.99).count()), 9900.0, 9900.0 * 0.125);
  EXPECT_EQ(h.percentile(1.0), Micros(10'000));
  EXPECT_EQ(h.percentile(0.0), Micros(10));
  h.add(Micros(-5));
  EXPECT_EQ(h.negativeSamples(), 1u);
  EXPECT_EQ(h.min(), Micros(0));
}

}  // namespace
}  // namespace medrtc::client
