#include "bwe/send_history.hpp"

#include <gtest/gtest.h>

namespace medrtc::bwe {
namespace {

TEST(SendHistory, NumbersPacketsAndFindsThem) {
  SendHistory h;
  EXPECT_EQ(h.nextSequence(), 0);
  EXPECT_EQ(h.add(1000, 1200), 0);
  EXPECT_EQ(h.add(2000, 300, 4), 1);
  auto p = h.find(1);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->sendUs, 2000);
  EXPECT_EQ(p->size, 300u);
  EXPECT_EQ(p->probeCluster, 4);
  EXPECT_FALSE(h.find(2));      // not sent yet
  EXPECT_FALSE(h.find(65535));  // before the first
}

// Packets queued during one batch of events take the time the batch was sent; packets
// already sent keep theirs.
TEST(SendHistory, MarkDepartedStampsOnlyWhatWasQueuedSinceTheLastSend) {
  SendHistory h;
  EXPECT_FALSE(h.awaitingDeparture());
  h.add(1000, 1200);
  h.add(1100, 1200);
  EXPECT_TRUE(h.awaitingDeparture());
  h.markDeparted(1500);
  EXPECT_FALSE(h.awaitingDeparture());
  h.add(2000, 1200);
  h.markDeparted(9000);  // the worker was off the core for 7 ms before it sent
  EXPECT_EQ(h.find(0)->sendUs, 1500);
  EXPECT_EQ(h.find(1)->sendUs, 1500);
  EXPECT_EQ(h.find(2)->sendUs, 9000);
  h.markDeparted(12000);  // nothing queued since: nothing changes
  EXPECT_EQ(h.find(2)->sendUs, 9000);
}

TEST(SendHistory, WrapsAndForgetsBeyondTheWindow) {
  SendHistory h;
  for (int i = 0; i < 70000; ++i) {
    h.add(i, 100);
  }
  // 69999 was the newest: its 16-bit number is 69999 - 65536.
  auto newest = h.find(static_cast<uint16_t>(69999));
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->sequence, 69999);
  EXPECT_EQ(newest->sendUs, 69999);
  EXPECT_TRUE(h.find(static_cast<uint16_t>(69999 - SendHistory::kWindow + 1)));
  EXPECT_FALSE(h.find(static_cast<uint16_t>(69999 - SendHistory::kWindow)));
}

}  // namespace
}  // namespace medrtc::bwe
