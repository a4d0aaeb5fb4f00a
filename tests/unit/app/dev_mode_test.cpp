// `serve --dev` (anonymous room creation with host tokens) starts only where nobody else
// can reach it: loopback, no TLS, no policy profile (issue 10 item 13).
#include <gtest/gtest.h>

#include <fstream>

#include "app/security_setup.hpp"
#include "cli_run.hpp"
#include "compliance/test_support.hpp"

namespace medrtc::app {
namespace {

using compliance::testing::policiesDir;
using compliance::testing::TempDir;

ServeConfig devConfig(const std::string& host) {
  ServeConfig c;
  c.dev = true;
  c.listenHost = host;
  c.listenPort = 0;
  return c;
}

std::string refusal(const ServeConfig& c) {
  try {
    checkSecurity(c);
  } catch (const StartRefused& e) {
    return e.what();
  }
  return "";
}

TEST(DevMode, AllowedOnLoopbackWithoutTlsOrProfile) {
  for (const char* host : {"127.0.0.1", "localhost", "::1", "127.0.0.2"}) {
    EXPECT_EQ(refusal(devConfig(host)), "") << host;
  }
}

TEST(DevMode, RefusedOnAReachableAddressEvenBehindAnInsecureHttpProxy) {
  for (const char* host : {"0.0.0.0", "::", "192.0.2.10"}) {
    ServeConfig c = devConfig(host);
    c.security.insecureHttp = true;
    std::string why = refusal(c);
    EXPECT_NE(why.find("refusing --dev: listen address " + std::string(host) + " is not loopback"), std::string::npos)
        << why;
  }
}

TEST(DevMode, RefusedWithTls) {
  ServeConfig c = devConfig("127.0.0.1");
  c.security.tlsSelfSigned = true;
  std::string why = refusal(c);
  EXPECT_NE(why.find("refusing --dev: TLS is configured"), std::string::npos) << why;
}

TEST(DevMode, RefusedUnderAnyPolicyProfile) {
  for (const char* profile : {"kbv", "hipaa", "gdpr", "hds"}) {
    ServeConfig c = devConfig("127.0.0.1");
    c.security.policy = profile;
    c.security.policiesDir = policiesDir();
    std::string why = refusal(c);
    EXPECT_NE(why.find("refusing --dev: policy profile \"" + std::string(profile) + "\" is enforced"),
              std::string::npos)
        << why;
  }
}

TEST(DevMode, TheCommandLineAndTheConfigFileAreRefusedBeforeTheDataDirIsTouched) {
  TempDir dir;
  auto data = dir.path() / "data";
  auto r = testing::runMedrtc(
      {"medrtc", "serve", "--dev", "--listen", "0.0.0.0:0", "--tls-self-signed", "--data-dir", data.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("refusing --dev"), std::string::npos) << r.err;
  auto config = dir.path() / "medrtc.toml";
  std::ofstream(config) << "dev = true\nlisten = \"0.0.0.0:0\"\ninsecure_http = true\n";
  r = testing::runMedrtc({"medrtc", "serve", "--config", config.string(), "--data-dir", data.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("refusing --dev"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(data));
}

}  // namespace
}  // namespace medrtc::app
