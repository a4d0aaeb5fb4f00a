#pragma once
// `medrtc doctor`'s TURN check: a real allocation on every --turn-url with a
// credential made from --turn-secret-file, exactly as a browser would get one
// in `joined`.
#include <chrono>
#include <string>
#include <vector>

#include "app/doctor.hpp"
#include "app/security_config.hpp"

namespace medrtc::app {

// One result per TURN URL ("turn udp", "turn tcp", "turn tls"), or one "turn"
// result when TURN is not configured or its secret cannot be read.
std::vector<CheckResult> checkTurn(const SecurityConfig &security, const DoctorOptions &options,
                                   std::chrono::system_clock::time_point now);

}  // namespace medrtc::app
