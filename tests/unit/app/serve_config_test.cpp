#include "app/serve_config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "common/random.hpp"

namespace medrtc::app {
namespace {

std::filesystem::path writeTemp(const std::string& text) {
  auto p = std::filesystem::temp_directory_path() / ("medrtc-config-" + randomHex(6) + ".toml");
  std::ofstream(p) << text;
  return p;
}

TEST(ServeConfig, ParsesListenAddresses) {
  std::string host;
  uint16_t port = 1;
  parseListen("127.0.0.1:0", host, port);
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  parseListen("[::1]:8443", host, port);
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8443);
  parseListen("localhost:80", host, port);
  EXPECT_EQ(host, "localhost");
  for (const char* bad : {"127.0.0.1", ":80", "host:", "host:65536", "host:-1", "host:http"}) {
    EXPECT_THROW(parseListen(bad, host, port), std::invalid_argument) << bad;
  }
}

TEST(ServeConfig, AppliesEveryKnownKey) {
  auto file = writeTemp(R"(
listen = "0.0.0.0:9000"
data_dir = "/var/lib/medrtc"
web_root = "/srv/web"
dev = true
drain_timeout = 42
[media]
ip = "203.0.113.7"
public_ip = "198.51.100.4"
listen = "10.0.0.2"
workers = 3
rtc_port_base = 40000
)");
  ServeConfig c;
  applyConfigFile(file, c);
  std::filesystem::remove(file);
  EXPECT_EQ(c.listenHost, "0.0.0.0");
  EXPECT_EQ(c.listenPort, 9000);
  EXPECT_EQ(c.dataDir, "/var/lib/medrtc");
  EXPECT_EQ(c.webRoot, "/srv/web");
  EXPECT_TRUE(c.dev);
  EXPECT_EQ(c.drainTimeout, std::chrono::seconds(42));
  EXPECT_EQ(c.media.announcedIps, (std::vector<std::string>{"203.0.113.7"}));
  EXPECT_EQ(c.media.publicIp, "198.51.100.4");
  EXPECT_EQ(c.media.listenIp, "10.0.0.2");
  EXPECT_EQ(c.media.workers, 3);
  EXPECT_EQ(c.media.portBase, 40000);
}

TEST(ServeConfig, ParticipantCapsHaveDefaultsAndConfigKeys) {
  ServeConfig defaults;
  EXPECT_EQ(defaults.participants.perRoom, 25u);
  EXPECT_EQ(defaults.participants.perTenant, 500u);
  EXPECT_EQ(defaults.participants.perNode, 1000u);
  auto file = writeTemp(R"(
[participants]
max_per_room = 4
max_per_tenant = 40
max_per_node = 400
)");
  ServeConfig c;
  applyConfigFile(file, c);
  std::filesystem::remove(file);
  EXPECT_EQ(c.participants.perRoom, 4u);
  EXPECT_EQ(c.participants.perTenant, 40u);
  EXPECT_EQ(c.participants.perNode, 400u);
}

void expectRefused(const std::string& toml, const std::string& mention) {
  auto file = writeTemp(toml);
  ServeConfig c;
  try {
    applyConfigFile(file, c);
    ADD_FAILURE() << "accepted: " << toml;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what();
  }
  std::filesystem::remove(file);
}

TEST(ServeConfig, DrainTimeoutDefaultsToFiveMinutes) {
  EXPECT_EQ(ServeConfig{}.drainTimeout, std::chrono::seconds(300));
}

TEST(ServeConfig, LogFormatIsTextUnlessTheFileSaysJson) {
  EXPECT_EQ(ServeConfig{}.logFormat, log::Format::kText);
  auto file = writeTemp("log_format = \"json\"\n");
  ServeConfig c;
  applyConfigFile(file, c);
  std::filesystem::remove(file);
  EXPECT_EQ(c.logFormat, log::Format::kJson);
  expectRefused("log_format = \"xml\"\n", "\"log_format\"");
}

TEST(ServeConfig, MediaIpTakesOneAddressOrAList) {
  auto file = writeTemp("[media]\nip = [\"192.0.2.2\", \"fd00::2\"]\n");
  ServeConfig c;
  applyConfigFile(file, c);
  std::filesystem::remove(file);
  EXPECT_EQ(c.media.announcedIps, (std::vector<std::string>{"192.0.2.2", "fd00::2"}));
  EXPECT_TRUE(c.media.publicIp.empty());
}

TEST(ServeConfig, RefusesUnknownKeysByName) {
  expectRefused("lisen = \"127.0.0.1:1\"\n", "\"lisen\"");
  expectRefused("[media]\nwrokers = 2\n", "\"media.wrokers\"");
  expectRefused("[tsl]\ncert = \"x\"\n", "\"tsl\"");  // [tls] is security_config.hpp's
}

TEST(ServeConfig, RefusesWrongTypesAndSyntax) {
  expectRefused("dev = \"yes\"\n", "\"dev\"");
  expectRefused("drain_timeout = -1\n", "\"drain_timeout\"");
  expectRefused("drain_timeout = \"5m\"\n", "\"drain_timeout\"");
  expectRefused("[media]\nworkers = \"2\"\n", "\"media.workers\"");
  expectRefused("[media]\nworkers = -1\n", "\"media.workers\"");
  expectRefused("[media]\nip = 4\n", "\"media.ip\"");
  expectRefused("[media]\nip = [\"192.0.2.1\", 4]\n", "\"media.ip\"");
  expectRefused("[media]\npublic_ip = [\"192.0.2.1\"]\n", "\"media.public_ip\"");
  expectRefused("[participants]\nmax_per_room = 0\n", "\"participants.max_per_room\"");
  expectRefused("[participants]\nmax_per_node = \"9\"\n", "\"participants.max_per_node\"");
  expectRefused("[participants]\nmax_per_hour = 9\n", "\"participants.max_per_hour\"");
  expectRefused("listen = \n", "config");
}

}  // namespace
}  // namespace medrtc::app
