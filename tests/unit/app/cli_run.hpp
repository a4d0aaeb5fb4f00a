#pragma once
// Runs `medrtc <args>` in process (runCli) and captures what it printed, for the CLI tests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/cli.hpp"

namespace medrtc::app::testing {

struct CliRun {
  int rc;
  std::string out;
  std::string err;
};

inline CliRun runMedrtc(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int rc = runCli(static_cast<int>(argv.size()), argv.data(), nullptr);
  std::string out = ::testing::internal::GetCapturedStdout();
  std::string err = ::testing::internal::GetCapturedStderr();
  return {rc, out, err};
}

}  // namespace medrtc::app::testing
