// medrtc_limit: measures how many SRTP packets one core can forward when it does nothing
// but recvmmsg → unprotect → protect → sendmmsg, for each DTLS-SRTP profile. Prints one
// text line per profile and, with --json, writes the figures scripts/bench puts in its table.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "limit_types.hpp"
#include "report.hpp"

int main(int argc, char** argv) {
  using medrtc::srtp::SrtpProfile;
  medrtc::bench::LimitConfig base;
  std::string suites = "gcm,sha1";
  std::string jsonPath;
  CLI::App app{"medrtc_limit: one core's recvmmsg → SRTP unprotect → protect → sendmmsg limit"};
  app.add_option("--packet-size", base.payloadSize, "RTP payload bytes (default 1100)")->check(CLI::Range(16, 1400));
  app.add_option("--suites", suites, "comma-separated: gcm, gcm256, sha1 (default gcm, sha1)");
  app.add_option("--bind-ip", base.bindIp, "local address for both sockets (default 127.0.0.1)");
  app.add_option("--forwarder-cpu", base.forwarderCpu, "core of the forwarder (default 0)");
  app.add_option("--generator-cpu", base.generatorCpu, "core of the generator (default 1)");
  app.add_option("--seconds", base.seconds, "measuring window per suite (default 4)")->check(CLI::Range(0.1, 600.0));
  app.add_option("--warmup", base.warmupSeconds, "warm-up per suite (default 0.5)")->check(CLI::Range(0.0, 60.0));
  app.add_option("--window", base.window, "packets in flight (default 1024)")->check(CLI::Range(32, 65536));
  app.add_option("--json", jsonPath, "write the result as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  std::vector<SrtpProfile> profiles;
  for (const auto& name : medrtc::bench::splitSuites(suites)) {
    auto profile = medrtc::bench::profileFromSuiteName(name);
    if (!profile) {
      std::cerr << "medrtc_limit: unknown suite '" << name << "' (gcm, sha1)\n";
      return 2;
    }
    profiles.push_back(*profile);
  }

  std::vector<medrtc::bench::LimitResult> results;
  for (auto profile : profiles) {
    auto config = base;
    config.profile = profile;
    auto r = medrtc::bench::measureLimit(config);
    if (!r.ok()) {
      std::cerr << "medrtc_limit: " << r.error() << "\n";
      return 1;
    }
    std::cout << medrtc::bench::textLine(*r) << std::endl;
    results.push_back(*r);
  }
  if (!jsonPath.empty()) {
    std::ofstream out(jsonPath);
    out << medrtc::bench::toJson(base, results) << "\n";
    if (!out) {
      std::cerr << "medrtc_limit: cannot write " << jsonPath << "\n";
      return 1;
    }
  }
  return 0;
}
