// The connection and proxy settings of `medrtc serve` (issue 10 items 5 and 8).
#include <gtest/gtest.h>

#include <fstream>

#include "app/descriptor_limit.hpp"
#include "app/serve_config.hpp"
#include "common/random.hpp"

namespace medrtc::app {
namespace {

std::filesystem::path writeTemp(const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / ("medrtc-config-" + randomHex(6) + ".toml");
  std::ofstream(p) << text;
  return p;
}

TEST(ConnectionConfig, TomlSetsLimitsAndTrustedProxies) {
  auto file = writeTemp(R"(
max_connections = 5000
max_connections_per_address = 64
trusted_proxies = ["10.0.0.0/8", "::1"]
)");
  ServeConfig c;
  applyConfigFile(file, c);
  std::filesystem::remove(file);
  EXPECT_EQ(c.maxConnections, 5000u);
  EXPECT_EQ(c.maxConnectionsPerAddress, 64u);
  EXPECT_EQ(c.trustedProxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
}

TEST(ConnectionConfig, DefaultsAreSaneAndBadValuesAreRefusedByName) {
  ServeConfig defaults;
  EXPECT_EQ(defaults.maxConnections, 10'000u);
  EXPECT_EQ(defaults.maxConnectionsPerAddress, 256u);
  EXPECT_TRUE(defaults.trustedProxies.empty());
  for (const char* bad : {"max_connections = 0", "max_connections_per_address = \"many\"",
                          "trusted_proxies = \"10.0.0.1\"", "trusted_proxies = [1]"}) {
    auto file = writeTemp(bad);
    ServeConfig c;
    try {
      applyConfigFile(file, c);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::runtime_error& e) {
      std::string key = std::string(bad).substr(0, std::string(bad).find(' '));
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
    std::filesystem::remove(file);
  }
}

TEST(ConnectionConfig, TheDescriptorLimitBoundsConnectionsWithAReserve) {
  EXPECT_EQ(connectionsAllowedBy(1024, 10'000), 1024 - kReservedDescriptors);
  EXPECT_EQ(connectionsAllowedBy(1'048'576, 10'000), 10'000u);
  EXPECT_EQ(connectionsAllowedBy(100, 10'000), 16u);  // a floor that keeps the node usable
  EXPECT_EQ(connectionsAllowedBy(1024, 10'000, 4), 1024 - kReservedDescriptors - 4 * kDescriptorsPerWorker);
  // The soft limit is raised to the hard one at start.
  EXPECT_GE(raiseDescriptorLimit(), 1024u);
}

}  // namespace
}  // namespace medrtc::app
