#include "signaling/connection_limits.hpp"

#include <gtest/gtest.h>

#include "signaling/client_address.hpp"

namespace medrtc::signaling {
namespace {

TEST(ConnectionTable, CountsPerAddressAndInTotalAndSlotsGiveBack) {
  ConnectionTable table(ConnectionLimits{3, 2});
  auto a1 = table.take("192.0.2.1");
  auto a2 = table.take("192.0.2.1");
  EXPECT_TRUE(table.fullFor("192.0.2.1"));
  EXPECT_FALSE(table.fullFor("192.0.2.2"));
  EXPECT_FALSE(table.fullInTotal());
  {
    auto b = table.take("192.0.2.2");
    EXPECT_TRUE(table.fullInTotal());
  }
  EXPECT_FALSE(table.fullInTotal());
  a1.release();
  a1.release();  // idempotent
  EXPECT_FALSE(table.fullFor("192.0.2.1"));
  ConnectionTable::Slot moved = std::move(a2);
  EXPECT_EQ(table.total(), 1u);
  moved = ConnectionTable::Slot();
  EXPECT_EQ(table.total(), 0u);
}

TEST(AcceptBackoff, DoublesToTheMaximumAndResetsOnSuccess) {
  AcceptBackoff b(std::chrono::milliseconds(10), std::chrono::milliseconds(40));
  EXPECT_EQ(b.failed().count(), 10);
  EXPECT_EQ(b.failed().count(), 20);
  EXPECT_EQ(b.failed().count(), 40);
  EXPECT_EQ(b.failed().count(), 40);
  b.succeeded();
  EXPECT_EQ(b.failed().count(), 10);
}

TEST(LogThrottle, OneLinePerIntervalWithTheCountItStoodFor) {
  LogThrottle throttle(std::chrono::seconds(10));
  auto t = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  uint64_t suppressed = 99;
  ASSERT_TRUE(throttle.allow(t, suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(throttle.allow(t + std::chrono::milliseconds(i), suppressed));
  }
  ASSERT_TRUE(throttle.allow(t + std::chrono::seconds(10), suppressed));
  EXPECT_EQ(suppressed, 1000u);
}

TEST(TrustedProxies, ForwardedForIsBelievedOnlyFromATrustedPeer) {
  TrustedProxies none;
  EXPECT_EQ(none.clientAddress("203.0.113.5", "198.51.100.1"), "203.0.113.5");
  TrustedProxies proxies({"10.0.0.0/8", "::1"});
  // An untrusted peer's header is ignored: it could name anyone.
  EXPECT_EQ(proxies.clientAddress("203.0.113.5", "198.51.100.1"), "203.0.113.5");
  EXPECT_EQ(proxies.clientAddress("10.1.2.3", "198.51.100.1"), "198.51.100.1");
  EXPECT_EQ(proxies.clientAddress("::1", "2001:db8::7"), "2001:db8::7");
  // The right-most untrusted entry: what the client wrote further left may be forged.
  EXPECT_EQ(proxies.clientAddress("10.1.2.3", "1.1.1.1, 198.51.100.1, 10.9.9.9"), "198.51.100.1");
  // No header, or garbage: the proxy itself.
  EXPECT_EQ(proxies.clientAddress("10.1.2.3", ""), "10.1.2.3");
  EXPECT_EQ(proxies.clientAddress("10.1.2.3", "unknown"), "10.1.2.3");
  EXPECT_EQ(proxies.clientAddress("10.1.2.3", "1.1.1.1, garbage"), "10.1.2.3");
  EXPECT_THROW(TrustedProxies({"proxy.example.org"}), std::invalid_argument);
}

}  // namespace
}  // namespace medrtc::signaling
