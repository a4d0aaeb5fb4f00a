#include "app/metrics_config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "common/random.hpp"

namespace medrtc::app {
namespace {

std::filesystem::path writeTemp(const std::string& text, const std::string& suffix = ".token") {
  auto p = std::filesystem::temp_directory_path() / ("medrtc-metrics-" + randomHex(6) + suffix);
  std::ofstream(p) << text;
  return p;
}

TEST(MetricsConfig, ReadsTheTokenWithoutSurroundingWhitespace) {
  auto file = writeTemp("  0123456789abcdef0123\n");
  EXPECT_EQ(readMetricsToken(file), "0123456789abcdef0123");
  std::filesystem::remove(file);
}

TEST(MetricsConfig, RefusesShortEmptyOrMissingTokens) {
  for (const char* bad : {"", "\n", "short-token", "two words of a long token"}) {
    auto file = writeTemp(bad);
    EXPECT_THROW(readMetricsToken(file), std::runtime_error) << '"' << bad << '"';
    std::filesystem::remove(file);
  }
  EXPECT_THROW(readMetricsToken("/nonexistent/medrtc/metrics.token"), std::runtime_error);
}

TEST(MetricsConfig, TomlKeysReachTheServerOptions) {
  auto token = writeTemp("0123456789abcdef0123456789abcdef");
  auto config = writeTemp("metrics_token_file = \"" + token.string() + "\"\nmetrics_listen = \"127.0.0.1:9464\"\n",
                          ".toml");
  ServeConfig c;
  applyConfigFile(config, c);
  signaling::ServerOptions options;
  applyMetricsConfig(c, options);
  EXPECT_EQ(options.metricsToken, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(options.metricsListenHost, "127.0.0.1");
  EXPECT_EQ(options.metricsListenPort, 9464);
  std::filesystem::remove(token);
  std::filesystem::remove(config);
}

TEST(MetricsConfig, WithoutSettingsMetricsStayOff) {
  ServeConfig c;
  signaling::ServerOptions options;
  applyMetricsConfig(c, options);
  EXPECT_TRUE(options.metricsToken.empty());
  EXPECT_TRUE(options.metricsListenHost.empty());
  c.metricsListen = "no-port";
  EXPECT_THROW(applyMetricsConfig(c, options), std::invalid_argument);
}

}  // namespace
}  // namespace medrtc::app
