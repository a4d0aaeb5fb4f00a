#include "net/announced_addresses.hpp"

#include <gtest/gtest.h>
#include <net/if.h>

#include <stdexcept>

namespace medrtc::net {
namespace {

constexpr unsigned kUp = IFF_UP | IFF_RUNNING;

InterfaceAddress iface(std::string name, unsigned flags, const std::string& ip) {
  return InterfaceAddress{std::move(name), flags, *SocketAddress::fromIp(ip, 0)};
}

// A laptop: loopback, Wi-Fi with IPv4, a ULA and a link-local IPv6, a docker bridge that
// is up without containers (no carrier), and a VPN that is down.
std::vector<InterfaceAddress> laptop() {
  return {
      iface("lo", kUp | IFF_LOOPBACK, "127.0.0.1"),
      iface("lo", kUp | IFF_LOOPBACK, "::1"),
      iface("wlan0", kUp, "192.168.1.20"),
      iface("wlan0", kUp, "fe80::1c2d:3eff:fe4f:5a6b"),
      iface("wlan0", kUp, "fd00::20"),
      iface("docker0", IFF_UP, "172.17.0.1"),
      iface("tun0", 0, "10.8.0.2"),
      iface("eth1", kUp, "169.254.10.1"),
  };
}

AnnounceSettings onWildcard(std::string listen = "0.0.0.0") {
  AnnounceSettings c;
  c.listenIp = std::move(listen);
  return c;
}

TEST(AnnouncedAddresses, EveryUsableIpv4InterfaceAddressWhenBoundTo0000) {
  EXPECT_EQ(chooseAnnouncedIps(onWildcard(), laptop()), (std::vector<std::string>{"192.168.1.20"}));
}

TEST(AnnouncedAddresses, DualStackSocketAlsoAnnouncesGlobalIpv6AfterIpv4) {
  EXPECT_EQ(chooseAnnouncedIps(onWildcard("::"), laptop()), (std::vector<std::string>{"192.168.1.20", "fd00::20"}));
}

TEST(AnnouncedAddresses, SeveralInterfacesAreAllAnnouncedOnceInKernelOrder) {
  auto list = laptop();
  list.push_back(iface("eth0", kUp, "10.0.0.5"));
  list.push_back(iface("eth0:1", kUp, "192.168.1.20"));  // an alias repeats an address
  EXPECT_EQ(chooseAnnouncedIps(onWildcard(), list), (std::vector<std::string>{"192.168.1.20", "10.0.0.5"}));
}

TEST(AnnouncedAddresses, LoopbackOnlyWhenNothingElseIsUsable) {
  std::vector<InterfaceAddress> offline{iface("lo", kUp | IFF_LOOPBACK, "127.0.0.1"),
                                             iface("docker0", IFF_UP, "172.17.0.1")};
  EXPECT_EQ(chooseAnnouncedIps(onWildcard(), offline), (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_EQ(chooseAnnouncedIps(onWildcard(), {}), (std::vector<std::string>{"127.0.0.1"}));
}

TEST(AnnouncedAddresses, MediaIpReplacesTheInterfaceAddresses) {
  AnnounceSettings c = onWildcard();
  c.ips = {"198.51.100.9", "127.0.0.1"};
  EXPECT_EQ(chooseAnnouncedIps(c, laptop()), (std::vector<std::string>{"198.51.100.9", "127.0.0.1"}));
}

TEST(AnnouncedAddresses, PublicIpComesFirstBeforeTheInterfaceAddresses) {
  AnnounceSettings c = onWildcard();
  c.publicIp = "203.0.113.7";
  EXPECT_EQ(chooseAnnouncedIps(c, laptop()), (std::vector<std::string>{"203.0.113.7", "192.168.1.20"}));
  c.ips = {"10.0.0.5", "203.0.113.7"};
  EXPECT_EQ(chooseAnnouncedIps(c, laptop()), (std::vector<std::string>{"203.0.113.7", "10.0.0.5"}));
}

TEST(AnnouncedAddresses, ASocketBoundToOneAddressAnnouncesThatAddress) {
  EXPECT_EQ(chooseAnnouncedIps(onWildcard("127.0.0.1"), laptop()), (std::vector<std::string>{"127.0.0.1"}));
  EXPECT_EQ(chooseAnnouncedIps(onWildcard("10.0.0.5"), laptop()), (std::vector<std::string>{"10.0.0.5"}));
}

TEST(AnnouncedAddresses, RefusesWhatIsNoIpOrWhatTheSocketCannotReceive) {
  AnnounceSettings c = onWildcard();
  c.ips = {"media.example.org"};
  EXPECT_THROW(chooseAnnouncedIps(c, laptop()), std::runtime_error);
  c.ips = {"2001:db8::1"};  // IPv6 on a socket bound to 0.0.0.0
  EXPECT_THROW(chooseAnnouncedIps(c, laptop()), std::runtime_error);
  c = onWildcard();
  c.publicIp = "not-an-ip";
  EXPECT_THROW(chooseAnnouncedIps(c, laptop()), std::runtime_error);
  EXPECT_THROW(chooseAnnouncedIps(onWildcard("0.0.0.x"), laptop()), std::runtime_error);
}

TEST(AnnouncedAddresses, ThisHostHasAtLeastOneAddressToAnnounce) {
  auto ips = chooseAnnouncedIps(onWildcard(), listInterfaceAddresses());
  ASSERT_FALSE(ips.empty());
  for (const auto& ip : ips) {
    EXPECT_TRUE(SocketAddress::fromIp(ip, 0).has_value()) << ip;
  }
}

}  // namespace
}  // namespace medrtc::net
