#include "common/ip_prefix.hpp"

#include <gtest/gtest.h>

namespace medrtc {
namespace {

TEST(IpPrefix, ParsesAddressesAndPrefixesOfBothFamilies) {
  auto net = IpPrefix::parse("10.0.0.0/8");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains("10.200.3.4"));
  EXPECT_FALSE(net->contains("11.0.0.1"));
  auto one = IpPrefix::parse("192.0.2.7");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->length(), 32);
  EXPECT_TRUE(one->contains("192.0.2.7"));
  EXPECT_FALSE(one->contains("192.0.2.8"));
  auto v6 = IpPrefix::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains("2001:db8:ffff::1"));
  EXPECT_FALSE(v6->contains("2001:db9::1"));
  EXPECT_FALSE(v6->contains("10.0.0.1"));
  auto odd = IpPrefix::parse("172.16.0.0/12");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains("172.31.255.255"));
  EXPECT_FALSE(odd->contains("172.32.0.0"));
}

TEST(IpPrefix, AMappedAddressIsTheIpv4ItCarries) {
  auto net = IpPrefix::parse("127.0.0.0/8");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains("::ffff:127.0.0.1"));
}

TEST(IpPrefix, RefusesWhatIsNotAPrefix) {
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "example.org", "10.0.0/8",
                          "1.2.3.4:80"}) {
    EXPECT_FALSE(IpPrefix::parse(bad)) << bad;
  }
}

TEST(LimitSourceKey, Ipv6CountsPerSlash64AndIpv4PerAddress) {
  EXPECT_EQ(limitSourceKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(limitSourceKey("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
  EXPECT_NE(limitSourceKey("2001:db8:1:3::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(limitSourceKey("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(limitSourceKey("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(limitSourceKey(""), "");
}

}  // namespace
}  // namespace medrtc
