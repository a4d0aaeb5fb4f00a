#include "sfu/rtp_packet_cache.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace medrtc::sfu {
namespace {

// A packet whose first and last bytes name its sequence number.
std::vector<uint8_t> packetFor(uint16_t seq, size_t size) {
  std::vector<uint8_t> packet(size, 0xAB);
  packet[0] = static_cast<uint8_t>(seq);
  packet[size - 1] = static_cast<uint8_t>(seq >> 8);
  return packet;
}

bool holdsIntact(const RtpPacketCache& cache, uint16_t seq, size_t size) {
  auto found = cache.find(seq);
  return found && found->size() == size && (*found)[0] == static_cast<uint8_t>(seq) &&
         (*found)[size - 1] == static_cast<uint8_t>(seq >> 8);
}

TEST(RtpPacketCache, OverwritesOldEntriesAndChecksSequence) {
  RtpPacketCache cache;
  uint8_t a[3] = {1, 2, 3};
  cache.store(5, ByteView(a, 3), Micros(0));
  cache.store(static_cast<uint16_t>(5 + RtpPacketCache::kSlots), ByteView(a, 2), Micros(0));
  EXPECT_FALSE(cache.find(5).has_value());
  EXPECT_EQ(cache.find(static_cast<uint16_t>(5 + RtpPacketCache::kSlots))->size(), 2u);
}

TEST(RtpPacketCache, ReservesNothingBeforeTheFirstPacket) {
  RtpPacketCache cache;
  EXPECT_EQ(cache.reservedBytes(), 0u);
  EXPECT_FALSE(cache.find(0).has_value());
}

TEST(RtpPacketCache, EvictsByBytesAndKeepsPacketsIntact) {
  RtpPacketCache cache;
  const size_t size = 1400;
  // Enough packets to wrap the byte ring (not the index) more than once, within one
  // rate window so the ring keeps its initial size.
  const size_t perRing = RtpPacketCache::kInitialCapacityBytes / size;
  const uint16_t total = static_cast<uint16_t>(perRing + perRing / 2);
  for (uint16_t seq = 0; seq < total; ++seq) {
    cache.store(seq, ByteView(packetFor(seq, size)), Micros(0));
  }
  EXPECT_EQ(cache.reservedBytes(), RtpPacketCache::kInitialCapacityBytes);
  // The newest ring's worth is there, byte for byte; the oldest packets were overwritten.
  for (uint16_t seq = static_cast<uint16_t>(total - perRing + 1); seq < total; ++seq) {
    EXPECT_TRUE(holdsIntact(cache, seq, size)) << seq;
  }
  EXPECT_FALSE(cache.find(static_cast<uint16_t>(total - perRing - 1)).has_value());
}

TEST(RtpPacketCache, CapacityIsTheRetainedBytesWithAQuarterSpareWithinBounds) {
  // 1.5 Mbit/s for 400 ms: 75,000 bytes + 25 % = 93,750, in whole 4 KiB pages.
  EXPECT_EQ(RtpPacketCache::capacityFor(187'500, Micros(400'000)), 23u * 4096);
  EXPECT_EQ(RtpPacketCache::capacityFor(1'000, Micros(400'000)), RtpPacketCache::kMinCapacityBytes);
  EXPECT_EQ(RtpPacketCache::capacityFor(2'000'000, Micros(1'000'000)), RtpPacketCache::kMaxCapacityBytes);
}

// Feeds `seconds` of `bytesPerSecond` in 1,000-byte packets from `seq` on; returns the next.
uint16_t feed(RtpPacketCache& cache, uint16_t seq, Micros& now, uint64_t bytesPerSecond, int seconds) {
  const size_t size = 1000;
  const int64_t perSecond = static_cast<int64_t>(bytesPerSecond / size);
  for (int64_t i = 0; i < perSecond * seconds; ++i) {
    cache.store(seq, ByteView(packetFor(seq, size)), now);
    ++seq;
    now += Micros(1'000'000 / perSecond);
  }
  return seq;
}

TEST(RtpPacketCache, FollowsTheMeasuredRateAndKeepsTheNewestPacketsAcrossAResize) {
  RtpPacketCache cache;
  Micros now{0};
  // One second of 250 kB/s (2 Mbit/s); 400 ms of it (≈ 125 KB) is more than the initial
  // ring, which holds the newest 65 packets.
  uint16_t seq = feed(cache, 0, now, 250'000, 1);
  ASSERT_EQ(cache.reservedBytes(), RtpPacketCache::kInitialCapacityBytes);
  // The first packet of the next second closes the rate window: the ring grows, and what
  // it held comes along byte for byte.
  cache.store(seq, ByteView(packetFor(seq, 1000)), now);
  ++seq;
  const size_t grown = RtpPacketCache::capacityFor(250'000, RtpPacketCache::kDefaultRetention);
  EXPECT_EQ(cache.reservedBytes(), grown);
  for (uint16_t s = static_cast<uint16_t>(seq - 65); s < seq; ++s) {
    EXPECT_TRUE(holdsIntact(cache, s, 1000)) << s;
  }
  // The rate drops to 50 kB/s (a low layer): the ring shrinks, the newest packets stay.
  seq = feed(cache, seq, now, 250'000, 1);
  seq = feed(cache, seq, now, 50'000, 2);
  EXPECT_EQ(cache.reservedBytes(), RtpPacketCache::capacityFor(50'000, RtpPacketCache::kDefaultRetention));
  EXPECT_LT(cache.reservedBytes(), grown);
  for (uint16_t s = static_cast<uint16_t>(seq - 20); s < seq; ++s) {
    EXPECT_TRUE(holdsIntact(cache, s, 1000)) << s;
  }
}

TEST(RtpPacketCache, ALongerRetentionGrowsTheRingAtTheNextWindow) {
  RtpPacketCache cache;
  Micros now{0};
  uint16_t seq = feed(cache, 0, now, 187'500, 2);
  const size_t before = cache.reservedBytes();
  cache.setRetention(Micros(1'000'000));
  feed(cache, seq, now, 187'500, 2);
  EXPECT_EQ(cache.reservedBytes(), RtpPacketCache::capacityFor(187'500, Micros(1'000'000)));
  EXPECT_GT(cache.reservedBytes(), before);
}

TEST(RtpPacketCache, ASmallRateWobbleDoesNotResize) {
  RtpPacketCache cache;
  Micros now{0};
  uint16_t seq = feed(cache, 0, now, 187'500, 2);
  const size_t settled = cache.reservedBytes();
  // 10 % less: within the shrink margin, so no copy of the ring.
  feed(cache, seq, now, 168'750, 2);
  EXPECT_EQ(cache.reservedBytes(), settled);
}

}  // namespace
}  // namespace medrtc::sfu
