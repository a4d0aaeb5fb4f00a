#include "app/doctor_turn.hpp"

#include <algorithm>
#include <cctype>

#include "turn/turn_allocation_probe.hpp"
#include "turn/turn_credentials.hpp"

namespace medrtc::app {

namespace {

// Long enough for the probe, short enough that a leaked doctor credential is
// useless.
constexpr uint32_t kProbeCredentialTtlSeconds = 300;

std::string checkName(turn::TurnTransport t) {
  std::string name = turn::transportName(t);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return "turn " + name;
}

}  // namespace

std::vector<CheckResult> checkTurn(const SecurityConfig &s, const DoctorOptions &options,
                                   std::chrono::system_clock::time_point now) {
  if (s.turnUrls.empty()) {
    return {{"turn", CheckStatus::kSkipped,
             "no --turn-url: clients on networks that block UDP cannot reach "
             "the media server (docs/deploy.md)"}};
  }
  if (s.turnSecretFile.empty()) {
    return {{"turn", CheckStatus::kFail,
             "--turn-url is set but --turn-secret-file is not: no credentials "
             "to test"}};
  }
  auto secret = turn::readSecretFile(s.turnSecretFile);
  if (!secret) {
    return {{"turn", CheckStatus::kFail, "cannot use " + s.turnSecretFile.string() + ": " + secret.error()}};
  }
  auto nowUnix = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto credential = turn::makeCredential(*secret, "medrtc-doctor", nowUnix, kProbeCredentialTtlSeconds);
  turn::AllocationProbeOptions probe;
  probe.timeout = options.turnTimeout;
  probe.tlsCaFile = options.turnCaFile;
  std::vector<CheckResult> results;
  for (const auto &url : s.turnUrls) {
    auto server = turn::parseTurnServerUri(url);
    if (!server) {
      results.push_back({"turn", CheckStatus::kFail, url + " is not a TURN URI: " + server.error()});
      continue;
    }
    auto outcome = turn::probeAllocation(*server, credential.username, credential.credential, probe);
    results.push_back({checkName(server->transport), outcome.ok ? CheckStatus::kOk : CheckStatus::kFail,
                       url + ": " + outcome.detail});
  }
  return results;
}

}  // namespace medrtc::app
