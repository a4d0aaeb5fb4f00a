#pragma once
// Everything `medrtc loadgen` is told on its command line (docs/loadgen.md).
#include <cstdint>
#include <optional>
#include <string>

namespace medrtc::loadgen {

enum class Target { kMedrtc, kJanus };

struct LoadgenConfig {
  Target target = Target::kMedrtc;
  std::string url = "http://127.0.0.1:8080";  // medrtc base URL, or Janus's http://IP:8088/janus
  std::string apiKey;                          // medrtc only
  int consultations = 1;
  double rampSeconds = 0;       // joins are spread evenly over this
  double durationSeconds = 10;  // the measured window, after everyone joined
  uint64_t videoBitrateBps = 1'500'000;
  size_t packetSize = 1100;     // max VP8 RTP payload bytes
  bool simulcast = false;       // publish three VP8 layers (RIDs q/h/f), medrtc only
  std::string bindIp = "127.0.0.1";  // local address of the media sockets (and our candidate)
  int loops = 1;                // client event loops (threads) carrying the media
  // Latency by when the loop read a packet (before issue 14: includes our own loop's
  // wait) instead of by its kernel arrival time (SO_TIMESTAMPNS).
  bool loopReceiveTimes = false;
  std::string outPath;          // JSON result; empty = none
  std::optional<int> serverPid; // /proc/<pid> sampled for CPU and RSS
  double joinTimeoutSeconds = 10;  // a participant without remote media by then failed to join
};

std::string toString(Target target);

}  // namespace medrtc::loadgen
