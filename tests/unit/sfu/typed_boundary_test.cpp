// The typed media model's boundary (docs/architecture.md "Typed media model"): the media
// worker's side of the SFU never parses or writes SDP. Its sources, and every header they
// reach through quoted includes, must not include anything from src/sdp/; only the
// control side (sfu/negotiation.cpp, sfu/media_plane.cpp) does.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace medrtc::sfu::test {
namespace {

std::vector<std::string> quotedIncludes(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  static const std::regex include(R"(^\s*#\s*include\s+"([^"]+)\")");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, include)) {
      out.push_back(m[1]);
    }
  }
  return out;
}

// Every src/-relative path reachable from `start` through quoted includes, with the file
// that first included it.
std::vector<std::pair<std::string, std::string>> reach(const std::filesystem::path& src, const std::string& start) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen{start};
  std::vector<std::string> todo{start};
  while (!todo.empty()) {
    std::string file = todo.back();
    todo.pop_back();
    for (const std::string& included : quotedIncludes(src / file)) {
      if (!std::filesystem::exists(src / included) || !seen.insert(included).second) {
        continue;  // a system or generated header
      }
      out.emplace_back(included, file);
      todo.push_back(included);
    }
  }
  return out;
}

TEST(TypedBoundary, WorkerSideSourcesReachNoSdpHeader) {
  const char* root = std::getenv("MEDRTC_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  std::filesystem::path src = std::filesystem::path(root) / "src";
  const std::vector<std::string> workerSide = {
      "sfu/room.cpp",     "sfu/room.hpp",     "sfu/producer.cpp",    "sfu/producer.hpp",
      "sfu/consumer.cpp", "sfu/consumer.hpp", "sfu/participant.cpp", "sfu/participant.hpp",
      "sfu/worker.cpp",   "sfu/worker.hpp",   "sfu/rtp_parameters.hpp", "sfu/connectivity_probe.cpp",
      "sfu/connectivity_probe.hpp"};
  for (const std::string& file : workerSide) {
    ASSERT_TRUE(std::filesystem::exists(src / file)) << file;
    for (const auto& [included, by] : reach(src, file)) {
      EXPECT_FALSE(included.starts_with("sdp/")) << file << " reaches " << included << " through " << by;
    }
  }
}

// The check itself can fail: the control side does include the SDP code.
TEST(TypedBoundary, TheControlSideIsSeenToIncludeSdp) {
  const char* root = std::getenv("MEDRTC_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  std::filesystem::path src = std::filesystem::path(root) / "src";
  bool found = false;
  for (const auto& [included, by] : reach(src, "sfu/negotiation.cpp")) {
    found = found || included.starts_with("sdp/");
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace medrtc::sfu::test
