#include "sfu/receiver_report_stats.hpp"

#include <gtest/gtest.h>

namespace medrtc::sfu {
namespace {

rtp::ReportBlock block(uint8_t fractionLost, uint32_t jitter, uint32_t lsr = 0, uint32_t dlsr = 0) {
  rtp::ReportBlock b;
  b.ssrc = 1;
  b.fractionLost = fractionLost;
  b.jitter = jitter;
  b.lastSr = lsr;
  b.delaySinceLastSr = dlsr;
  return b;
}

TEST(ReceiverReportStats, RoundTripIsArrivalLessLsrLessDlsr) {
  // RFC 3550 §6.4.1's example: A = 0xb710:8000 (46864.5 s), LSR = 0xb705:2000 (46853.125 s),
  // DLSR = 0x0005:4000 (5.25 s) → RTT 6.125 s.
  auto rtt = roundTripMs(0xb7108000, 0xb7052000, 0x00054000);
  ASSERT_TRUE(rtt.has_value());
  EXPECT_NEAR(*rtt, 6125.0, 1e-6);
  EXPECT_FALSE(roundTripMs(0xb7108000, 0, 0).has_value());  // no SR reached it yet
  EXPECT_FALSE(roundTripMs(0x00010000, 0x00020000, 0).has_value());  // negative
}

TEST(ReceiverReportStats, TakesTheWorstStreamOfAWindowAndKeepsTheLastRtt) {
  ReceiverReportStats stats;
  // Audio at 48 kHz: 10 % lost (26/256), jitter 480 units = 10 ms.
  stats.onReportBlock(block(26, 480, 0x00010000, 0x00001000), 48000, 0x00011000 + 0x00000CCD);  // ~50 ms
  // Video at 90 kHz: 1 % lost, jitter 2700 units = 30 ms; no SR yet → no RTT.
  stats.onReportBlock(block(3, 2700), 90000, std::nullopt);
  auto w = stats.take();
  EXPECT_TRUE(w.any);
  EXPECT_NEAR(w.lossPercent, 26 * 100.0 / 256, 1e-9);
  EXPECT_NEAR(w.jitterMs, 30.0, 1e-9);
  ASSERT_TRUE(w.rttMs.has_value());
  EXPECT_NEAR(*w.rttMs, 50.0, 0.1);
  // A new window: no reports yet, the RTT carries over.
  auto next = stats.take();
  EXPECT_FALSE(next.any);
  EXPECT_EQ(next.lossPercent, 0);
  ASSERT_TRUE(next.rttMs.has_value());
  EXPECT_NEAR(*next.rttMs, 50.0, 0.1);
}

}  // namespace
}  // namespace medrtc::sfu
