#include "app/metrics_config.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace medrtc::app {

namespace {

constexpr size_t kMinTokenChars = 16;

}  // namespace

std::string readMetricsToken(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("--metrics-token-file: cannot read " + file.string());
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  size_t first = token.find_first_not_of(" \t\r\n");
  size_t last = token.find_last_not_of(" \t\r\n");
  token = first == std::string::npos ? "" : token.substr(first, last - first + 1);
  if (token.size() < kMinTokenChars || token.find_first_of(" \t\r\n") != std::string::npos) {
    throw std::runtime_error("--metrics-token-file: " + file.string() + " must hold one token of at least " +
                             std::to_string(kMinTokenChars) + " characters (e.g. openssl rand -hex 32)");
  }
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 0077) != 0) {
    log::warn("metrics_token_file_readable", {{"file", file.string()}, {"fix", "chmod_600"}});
  }
  return token;
}

void applyMetricsConfig(const ServeConfig& config, signaling::ServerOptions& options) {
  if (!config.metricsTokenFile.empty()) {
    options.metricsToken = readMetricsToken(config.metricsTokenFile);
  }
  if (!config.metricsListen.empty()) {
    try {
      parseListen(config.metricsListen, options.metricsListenHost, options.metricsListenPort);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--metrics-listen: ") + e.what());
    }
  }
}

}  // namespace medrtc::app
