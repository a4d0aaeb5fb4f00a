// The bounds on connectivity probes (signaling/probe_budget.hpp).
#include "signaling/probe_budget.hpp"

#include <gtest/gtest.h>

namespace medrtc::signaling {
namespace {

using namespace std::chrono_literals;

TEST(ProbeBudget, OneSubjectHoldsAtMostPerSubjectUntilTheirLifetimeEnds) {
  ProbeBudget budget(ProbeLimits{.perSubject = 3, .lifetime = 15s});
  Micros t0 = 100s;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(budget.take("invitation:i_1", "192.0.2.1", t0 + Micros(i * 1000)));
  }
  auto refused = budget.take("invitation:i_1", "192.0.2.1", t0 + 1s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->bound, ProbeBudget::Bound::kSubject);
  EXPECT_EQ(refused->retryAfterSeconds, 14);
  // Another subject from the same address is not held back by it.
  EXPECT_FALSE(budget.take("invitation:i_2", "192.0.2.1", t0 + 1s));
  EXPECT_FALSE(budget.take("invitation:i_1", "192.0.2.1", t0 + 15s + 1ms));
}

TEST(ProbeBudget, OneAddressOpensAtMostPerAddressPerWindow) {
  ProbeBudget budget(ProbeLimits{.perAddress = 5, .addressWindow = 60s, .perSubject = 100});
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(budget.take("room:r/" + std::to_string(i), "198.51.100.7", 10s + Micros(i)));
  }
  auto refused = budget.take("room:r/new", "198.51.100.7", 20s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->bound, ProbeBudget::Bound::kAddress);
  EXPECT_EQ(refused->retryAfterSeconds, 50);
  EXPECT_FALSE(budget.take("room:r/new", "198.51.100.8", 20s));
  EXPECT_FALSE(budget.take("room:r/new", "198.51.100.7", 70s + 1ms));
}

TEST(ProbeBudget, TheNodeHoldsAtMostPerNodeAtOnce) {
  ProbeBudget budget(ProbeLimits{.perNode = 4, .lifetime = 15s});
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(budget.take("s" + std::to_string(i), "a" + std::to_string(i), 1s));
  }
  EXPECT_EQ(budget.live(2s), 4u);
  auto refused = budget.take("s9", "a9", 2s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->bound, ProbeBudget::Bound::kNode);
  EXPECT_EQ(budget.live(16s + 1ms), 0u);
  EXPECT_FALSE(budget.take("s9", "a9", 16s + 1ms));
}

TEST(ProbeBudget, ManyDistinctKeysDoNotGrowWithoutBound) {
  ProbeBudget budget(ProbeLimits{.perNode = 1'000'000, .lifetime = 15s, .maxKeys = 100});
  size_t refused = 0;
  for (int i = 0; i < 1000; ++i) {
    refused += budget.take("s" + std::to_string(i), "a" + std::to_string(i), 1s).has_value() ? 1 : 0;
  }
  // Within one window nothing can be forgotten: past the key bound, probes are refused.
  EXPECT_GE(refused, 900u);
  // A window later the old keys go and probes open again.
  EXPECT_FALSE(budget.take("late", "late", 120s));
}

}  // namespace
}  // namespace medrtc::signaling
