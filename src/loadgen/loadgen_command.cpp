#include "loadgen/loadgen_command.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "loadgen/load_runner.hpp"
#include "loadgen/loadgen_config.hpp"

namespace medrtc::loadgen {

LoadgenCommand::LoadgenCommand(CLI::App& app) : config_(std::make_unique<LoadgenConfig>()) {
  LoadgenConfig& c = *config_;
  command_ = app.add_subcommand("loadgen", "open synthetic consultations against medrtc or Janus and measure them");
  command_->add_option("--target", target_, "medrtc or janus (default medrtc)")
      ->check(CLI::IsMember({"medrtc", "janus"}));
  command_->add_option("--url", c.url,
                       "medrtc base URL (default http://127.0.0.1:8080) or Janus http://IP:8088/janus");
  command_->add_option("--api-key", c.apiKey, "medrtc API key (default: $MEDRTC_API_KEY)");
  command_->add_option("--consultations", c.consultations, "1:1 consultations (two participants each); default 1")
      ->check(CLI::Range(1, 100000));
  command_->add_option("--ramp", c.rampSeconds, "seconds over which the joins are spread (default 0)")
      ->check(CLI::Range(0.0, 3600.0));
  command_->add_option("--duration", c.durationSeconds, "measured seconds after everyone joined (default 10)")
      ->check(CLI::Range(0.1, 86400.0));
  command_->add_option("--video-bitrate", c.videoBitrateBps, "VP8 bits per second per participant (default 1500000)")
      ->check(CLI::Range(10'000, 50'000'000));
  // MediaSender builds packets of at most 1200 bytes: payload + RTP header + extensions.
  command_->add_option("--packet-size", c.packetSize, "max VP8 RTP payload bytes (default 1100)")
      ->check(CLI::Range(200, 1150));
  command_->add_flag("--simulcast", c.simulcast,
                     "publish three VP8 simulcast layers (RIDs q/h/f, the top one at --video-bitrate, each lower a "
                     "third of the next); medrtc only");
  command_->add_option("--bind-ip", c.bindIp,
                       "local IP of the media sockets; Janus needs the host's non-loopback IPv4 (default 127.0.0.1)");
  command_->add_option("--loops", c.loops, "media event loops (threads) of the loadgen (default 1)")
      ->check(CLI::Range(1, 256));
  command_->add_flag("--loop-receive-times", c.loopReceiveTimes,
                     "time received packets when the loop reads them, not by kernel arrival (for comparison)");
  command_->add_option("--server-pid", serverPid_, "server process to sample in /proc (CPU, RSS)");
  command_->add_option("--join-timeout", c.joinTimeoutSeconds,
                       "seconds a participant may take to receive remote media (default 10)")
      ->check(CLI::Range(1.0, 600.0));
  command_->add_option("--out", c.outPath, "write the JSON result here");
  command_->add_flag("--verbose", verbose_, "log signaling and connection steps (debug) to stderr");
}

LoadgenCommand::~LoadgenCommand() = default;

bool LoadgenCommand::parsed() const { return command_->parsed(); }

int LoadgenCommand::run() {
  if (verbose_) {
    spdlog::set_level(spdlog::level::debug);
  }
  LoadgenConfig config = *config_;
  config.target = target_ == "janus" ? Target::kJanus : Target::kMedrtc;
  if (serverPid_ > 0) {
    config.serverPid = serverPid_;
  }
  if (config.apiKey.empty()) {
    if (const char* key = std::getenv("MEDRTC_API_KEY")) {
      config.apiKey = key;
    }
  }
  if (config.target == Target::kMedrtc && config.apiKey.empty()) {
    std::cerr << "medrtc loadgen: --api-key or MEDRTC_API_KEY is required for --target medrtc\n";
    return 2;
  }
  if (config.target == Target::kJanus && config.simulcast) {
    std::cerr << "medrtc loadgen: --simulcast is for --target medrtc only\n";
    return 2;
  }
  if (config.target == Target::kJanus && config.url == "http://127.0.0.1:8080") {
    config.url = "http://127.0.0.1:8088/janus";
  }
  LoadResult result;
  try {
    result = runLoad(config, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "medrtc loadgen: " << e.what() << "\n";
    return 2;
  }
  const Summary summary = summarize(result);
  std::cout << formatSummary(result, summary) << std::flush;
  if (!config.outPath.empty()) {
    std::ofstream out(config.outPath);
    out << boost::json::serialize(toJson(result, summary)) << "\n";
    if (!out) {
      std::cerr << "medrtc loadgen: cannot write " << config.outPath << "\n";
      return 2;
    }
  }
  return summary.failedConsultations == 0 ? 0 : 1;
}

}  // namespace medrtc::loadgen
