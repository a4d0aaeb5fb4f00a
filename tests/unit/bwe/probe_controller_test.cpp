#include "bwe/probe_controller.hpp"

#include <gtest/gtest.h>

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
  EXPECT_LE(cluster->bps, 960'000u);  // and no more than 1.2 × the need
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

}  // namespace
}  // namespace medrtc::bwe
