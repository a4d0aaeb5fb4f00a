#include "bwe/probe_controller.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

namespace medrtc::bwe {
namespace {

constexpr uint64_t kMax = 10'000'000;

// The initial probe is taken and its result dropped, so each test starts past it.
ProbeController pastTheInitialProbe() {
  ProbeController probes;
  EXPECT_TRUE(probes.maybeStart(1'000'000, 2'000'000, kMax, false, false, 0).has_value());
  EXPECT_FALSE(probes.takeResult(0, ProbeController::kResultTimeoutUs + 1).has_value());
  return probes;
}

// A simulcast subscriber whose top layer (plus audio) needs 800 kbit/s, on an estimate a
// little below it: the allocator gives him a lower layer, which is all he then sends, and
// the estimate cannot grow past 1.5 × that without a probe. Seen on the capped-link test:
// a probe after the cap's removal proved 769 kbit/s, the top layer needed ~780, and the
// subscriber stayed on 360p for 10 s until the estimate drifted over it.
TEST(ProbeController, ProbesWhenTheTopLayerNeedsJustAboveTheEstimate) {
  ProbeController probes = pastTheInitialProbe();
  int64_t now = 10'000'000;
  auto cluster = probes.maybeStart(769'000, 800'000, kMax, false, false, now);
  ASSERT_TRUE(cluster.has_value());
  EXPECT_GE(cluster->bps, 800'000u);  // a rate that, once proven, lets the top layer fit
  EXPECT_LE(cluster->bps, 1'200'000u);  // and no more than 1.5 × the need
}

TEST(ProbeController, NoProbeWhenTheEstimateCoversWhatIsWanted) {
  ProbeController probes = pastTheInitialProbe();
  EXPECT_FALSE(probes.maybeStart(800'000, 800'000, kMax, false, false, 10'000'000).has_value());
  EXPECT_FALSE(probes.maybeStart(2'000'000, 800'000, kMax, false, false, 20'000'000).has_value());
}

TEST(ProbeController, NoProbeWhileAQueueBuildsOrPacketsAreLost) {
  ProbeController probes = pastTheInitialProbe();
  EXPECT_FALSE(probes.maybeStart(400'000, 800'000, kMax, true, false, 10'000'000).has_value());
  EXPECT_FALSE(probes.maybeStart(400'000, 800'000, kMax, false, true, 10'000'000).has_value());
}

TEST(ProbeController, RetriesOnlyAfterTheRetryInterval) {
  ProbeController probes = pastTheInitialProbe();
  int64_t now = 10'000'000;
  ASSERT_TRUE(probes.maybeStart(400'000, 800'000, kMax, false, false, now).has_value());
  // Its feedback never comes: no result, and no new probe before kRetryUs.
  now += ProbeController::kResultTimeoutUs + 1;
  EXPECT_FALSE(probes.takeResult(0, now).has_value());
  EXPECT_FALSE(probes.maybeStart(400'000, 800'000, kMax, false, false, now).has_value());
  now = 10'000'000 + ProbeController::kRetryUs;
  EXPECT_TRUE(probes.maybeStart(400'000, 800'000, kMax, false, false, now).has_value());
}

// Sends `cluster` in 1200-byte packets at its rate through a tbf-like shaper (`linkBps`, a
// token bucket of `burstBytes`, full at the start) and reports every packet; the result.
std::optional<uint64_t> probeThroughShaper(ProbeController& probes, const ProbeCluster& cluster, uint64_t linkBps,
                                           double burstBytes) {
  constexpr uint32_t kSize = 1200;
  int64_t gapUs = static_cast<int64_t>(kSize) * 8 * 1'000'000 / static_cast<int64_t>(cluster.bps);
  double tokens = burstBytes;
  int64_t tokensAt = cluster.startUs;
  int64_t lastArrival = cluster.startUs;
  int64_t sequence = 0;
  for (int64_t sendUs = cluster.startUs; sendUs < cluster.startUs + cluster.durationUs; sendUs += gapUs, ++sequence) {
    // Leaves when the bucket holds a packet's worth, in order behind the one before.
    int64_t leave = std::max(sendUs, lastArrival);
    tokens = std::min(burstBytes, tokens + static_cast<double>(leave - tokensAt) * static_cast<double>(linkBps) / 8e6);
    tokensAt = leave;
    if (tokens < kSize) {
      int64_t waitUs = static_cast<int64_t>((kSize - tokens) * 8e6 / static_cast<double>(linkBps)) + 1;
      leave += waitUs;
      tokens += static_cast<double>(waitUs) * static_cast<double>(linkBps) / 8e6;
      tokensAt = leave;
    }
    tokens -= kSize;
    lastArrival = leave;
    probes.onPacket(cluster.id, sequence, sendUs, leave + 20'000, kSize);
  }
  probes.onClusterSent(cluster.id, sequence);
  return probes.takeResult(sequence - 1, lastArrival + 50'000);
}

// Under a 500 kbit/s cap a Firefox subscriber's top layer (510 kbit/s, plus audio) is
// wanted: the probe goes at ~700 kbit/s. A 500 ms probe at that rate passed through the
// test's tbf (16 kB burst) without queuing, "proved" 700 kbit/s and the allocator upgraded
// him to 720p under the cap (tests/e2e/firefox-simulcast.test.mjs).
TEST(ProbeController, AProbeAboveACappedLinkDoesNotPassOnTheShapersBurst) {
  ProbeController probes = pastTheInitialProbe();
  auto cluster = probes.maybeStart(442'000, 582'000, kMax, false, false, 10'000'000);
  ASSERT_TRUE(cluster.has_value());
  EXPECT_GE(cluster->bps, 650'000u);
  EXPECT_FALSE(probeThroughShaper(probes, *cluster, 500'000, 16'000).has_value());
}

TEST(ProbeController, AProbeOnAnOpenLinkProvesItsRate) {
  ProbeController probes = pastTheInitialProbe();
  auto cluster = probes.maybeStart(442'000, 582'000, kMax, false, false, 10'000'000);
  ASSERT_TRUE(cluster.has_value());
  EXPECT_EQ(probeThroughShaper(probes, *cluster, 5'000'000, 16'000), cluster->bps);
}

}  // namespace
}  // namespace medrtc::bwe
