#pragma once
// `medrtc doctor`: checks a deployment against the same configuration `serve`
// reads and says in plain words what is wrong (docs/operations.md "Checking a
// deployment"). Read-only: it never creates, migrates or tightens anything.
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "app/serve_config.hpp"

namespace medrtc::app {

enum class CheckStatus { kOk, kFail, kSkipped };

struct CheckResult {
  std::string check;  // "listener", "certificate", ...
  CheckStatus status = CheckStatus::kOk;
  std::string detail;  // one plain sentence
};

// What only doctor needs besides serve's configuration.
struct DoctorOptions {
  std::string turnCaFile;  // --turn-ca-file: trust for a turns: server no system
                           // CA signs
  std::chrono::milliseconds turnTimeout{3000};
};

// Every check, in a fixed order. `now`: the wall clock (tests pass their own).
std::vector<CheckResult> runDoctorChecks(const ServeConfig &config,
                                         std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
                                         const DoctorOptions &options = {});

// Prints the results as text lines or (`json`) one JSON object; returns the
// exit status: 0 when nothing failed, 1 otherwise.
int reportDoctor(const std::vector<CheckResult> &results, bool json, std::ostream &out);

}  // namespace medrtc::app
