#include "rtp/sequence_number.hpp"

#include <gtest/gtest.h>

namespace medrtc::rtp {
namespace {

TEST(SequenceNumber, NewerAcrossWraparound) {
  EXPECT_TRUE(isNewerSequenceNumber(1, 0));
  EXPECT_TRUE(isNewerSequenceNumber(0, 65535));
  EXPECT_FALSE(isNewerSequenceNumber(65535, 0));
  EXPECT_FALSE(isNewerSequenceNumber(5, 5));
  EXPECT_TRUE(isNewerSequenceNumber(0x8000, 0));  // tie broken by value
  EXPECT_FALSE(isNewerSequenceNumber(0, 0x8000));
  EXPECT_EQ(sequenceNumberDelta(2, 65534), 4);
  EXPECT_EQ(sequenceNumberDelta(65534, 2), -4);
}

TEST(SequenceNumber, UnwrapsForwardBackwardAndAcrossWrap) {
  SequenceNumberUnwrapper u;
  EXPECT_EQ(u.unwrap(65530), 65530);
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(2), 65538);
  EXPECT_EQ(u.unwrap(65534), 65534);  // reordered from before the wrap
  EXPECT_EQ(u.unwrap(10), 65546);
  EXPECT_EQ(u.peek(9), 65545);
  for (int i = 0; i < 5; ++i) {  // five more full cycles
    for (uint32_t s = 0; s < 65536; s += 1000) {
      u.unwrap(static_cast<uint16_t>(10 + s));
    }
  }
  EXPECT_GT(u.unwrap(10), 5 * 65536);
}

}  // namespace
}  // namespace medrtc::rtp
