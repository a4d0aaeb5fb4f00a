// Issue 12 item 6 through the real media plane: the 5 s quality report names the
// subscriber whose link loses packets (from its receiver reports) and counts a freeze
// on the video forwarded to it when the publisher stalls, while the publisher's own
// figures stay clean.
#include <gtest/gtest.h>

#include "call_harness.hpp"
#include "rtp/demux.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

const ParticipantQuality* figuresOf(const CallHarness::QualityReport& report, const std::string& id) {
  for (const auto& q : report.figures) {
    if (q.participantId == id) {
      return &q;
    }
  }
  return nullptr;
}

TEST(RoomQualityIntegration, ASubscribersLossAndAForwardedStallShowInItsFiguresOnly) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true, .relaySubscriber = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  // B's downlink loses every 6th video-sized RTP packet.
  int n = 0;
  b.relay->dropToClient = [&](ByteView d) {
    return d.size() >= 400 && d[0] >= 128 && d[0] <= 191 && !rtp::isRtcp(d) && ++n % 6 == 0;
  };
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 60; }));
  // The publisher stalls for 1.5 s: every frame the SFU forwards to B stops meanwhile.
  pump.stop();
  h.runFor(std::chrono::milliseconds(1500));
  pump.start();

  double worstLossB = 0;
  bool done = h.runUntil(
      [&] {
        for (const auto& report : h.qualityReports()) {
          const ParticipantQuality* qb = figuresOf(report, "b");
          if (qb != nullptr) {
            worstLossB = std::max(worstLossB, qb->lossPercent);
          }
        }
        const auto& reports = h.qualityReports();
        if (reports.empty()) {
          return false;
        }
        const ParticipantQuality* qb = figuresOf(reports.back(), "b");
        return qb != nullptr && qb->freezeCount >= 1 && worstLossB > 1.0;
      },
      std::chrono::seconds(20));
  ASSERT_TRUE(done) << "reports: " << h.qualityReports().size() << ", worst loss of b " << worstLossB;

  const auto& last = h.qualityReports().back();
  EXPECT_EQ(last.roomId, "r");
  const ParticipantQuality* qa = figuresOf(last, "a");
  const ParticipantQuality* qb = figuresOf(last, "b");
  ASSERT_NE(qa, nullptr);
  ASSERT_NE(qb, nullptr);
  EXPECT_EQ(qa->freezeCount, 0u) << "nothing is forwarded to the publisher";
  EXPECT_EQ(qa->lossPercent, 0.0) << "its uplink lost nothing";
  EXPECT_GT(qa->bitrateInBps, 0u);
  EXPECT_EQ(qa->bitrateOutBps, 0u);
  EXPECT_GT(qb->bitrateOutBps, 0u);
  EXPECT_GT(qb->rttMs, 0.0) << "its receiver reports answered our sender reports";
  EXPECT_EQ(qb->estimatedBandwidthBps, 0u) << "the synthetic client sends no transport-cc feedback";
  EXPECT_EQ(qb->layer, 0);
  EXPECT_LT(qb->score, qa->score);

  // For monitoring: per worker only, never per participant.
  std::vector<metrics::Family> families;
  h.plane().collectMetrics(families);
  bool sawScore = false;
  bool sawFreezes = false;
  for (const auto& f : families) {
    if (f.name == "medrtc_media_quality_score") {
      ASSERT_EQ(f.histograms.size(), 1u);
      EXPECT_EQ(f.histograms[0].labels, (metrics::Labels{{"worker", "0"}}));
      EXPECT_GE(f.histograms[0].histogram.count, 2u);
      sawScore = true;
    }
    if (f.name == "medrtc_media_video_freezes_total") {
      ASSERT_EQ(f.samples.size(), 1u);
      EXPECT_EQ(f.samples[0].labels, (metrics::Labels{{"worker", "0"}}));
      EXPECT_GE(f.samples[0].value, 1.0);
      sawFreezes = true;
    }
  }
  EXPECT_TRUE(sawScore);
  EXPECT_TRUE(sawFreezes);
}

}  // namespace
}  // namespace medrtc::sfu::test
