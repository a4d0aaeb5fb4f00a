#pragma once
// What one measurement of the forwarding limit takes and gives back.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "common/socket_address.hpp"
#include "srtp/srtp_profile.hpp"

namespace medrtc::bench {

struct LimitConfig {
  srtp::SrtpProfile profile = srtp::SrtpProfile::kAeadAes128Gcm;
  size_t payloadSize = 1100;  // RTP payload bytes; the loadgen's video packets are ~1,100 bytes
  std::string bindIp = "127.0.0.1";
  int forwarderCpu = 0;
  int generatorCpu = 1;
  double warmupSeconds = 0.5;
  double seconds = 4.0;
  // Packets the generator keeps in flight: a closed loop, so socket buffers never overflow
  // and what we measure is the forwarder's speed, not the kernel dropping packets.
  size_t window = 1024;
};

struct LimitResult {
  srtp::SrtpProfile profile{};
  size_t wireBytes = 0;            // RTP header + payload + SRTP tag, as sent on the wire
  double seconds = 0;              // wall time of the measuring window
  uint64_t forwarded = 0;          // packets unprotected, protected and sent by the forwarder
  uint64_t returned = 0;           // packets the generator received back
  uint64_t unprotectErrors = 0;
  uint64_t protectErrors = 0;
  uint64_t sendErrors = 0;
  uint64_t verifyFailures = 0;     // returned packets (sampled) that did not authenticate
  double forwarderCpuSeconds = 0;  // forwarder thread CPU (user + system) in the window
  double generatorCpuSeconds = 0;

  double packetsPerSecond() const { return seconds > 0 ? forwarded / seconds : 0; }
  // Forwarded packets per CPU second of the forwarder's core: the per-core limit, and
  // still meaningful when the generator could not keep the forwarder fully busy.
  double packetsPerCoreSecond() const { return forwarderCpuSeconds > 0 ? forwarded / forwarderCpuSeconds : 0; }
  double forwarderUtilization() const { return seconds > 0 ? forwarderCpuSeconds / seconds : 0; }
  double generatorUtilization() const { return seconds > 0 ? generatorCpuSeconds / seconds : 0; }
  // The generator at ~100% of its core while the forwarder idles means the generator,
  // not the forwarder, set the pace.
  bool generatorSaturated() const { return generatorUtilization() > 0.95 && forwarderUtilization() < 0.9; }
};

// Runs a forwarder thread and a generator thread, each pinned to its core, for the
// configured time. Errors (socket, SRTP setup) come back as a message.
Result<LimitResult, std::string> measureLimit(const LimitConfig& config);

}  // namespace medrtc::bench
