#pragma once
// What one load run measured, and the arithmetic that turns per-participant counters into
// the figures issue 6 asks for: loss, latency and join-time percentiles, failures, CPU
// seconds per consultation-minute, RSS per participant, and whether the load generator
// itself was the bottleneck. Pure functions over plain data, so tests check the math.
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/latency_histogram.hpp"
#include "loadgen/loadgen_config.hpp"

namespace medrtc::loadgen {

// A participant that stops receiving for longer than this during the run failed.
inline constexpr double kStallSeconds = 2.0;
// Above this share of its cores (or of one loop thread), the load generator was saturated.
inline constexpr double kSaturationShare = 0.9;

struct ParticipantResult {
  std::string name;  // "c3-a": consultation 3, participant a
  int consultation = 0;
  std::string failure;  // empty = fine; else why (join, DTLS, stall), shown in the table
  std::optional<double> joinMs;  // signaling start → first remote RTP packet
  Micros firstRemoteRtpAt{0};    // loop clock; 0 = nothing received
  // Packet counters cover the measured window (see windowDelta).
  uint64_t packetsSent = 0;
  uint64_t packetsReceived = 0;  // remote RTP (audio + video)
  uint64_t packetsExpected = 0;  // RFC 3550 A.3: highest - base + 1, summed over streams
  int64_t packetsLost = 0;       // expected - received (negative: duplicates)
  uint64_t audioReceived = 0;
  uint64_t videoReceived = 0;
  double maxGapMs = 0;  // longest silence between remote packets (or before the end)
  client::LatencyHistogram latency;  // receive time - embedded send time
};

// A /proc sample of a process: CPU seconds used so far (utime + stime) and resident set.
struct ProcessSample {
  double cpuSeconds = 0;
  uint64_t rssBytes = 0;
};

struct LoadgenCpu {
  double processCpuSeconds = 0;             // over the measured window
  std::vector<double> loopThreadShares;      // per media loop thread: CPU s / wall s
  double processShareOfCores = 0;           // process CPU s / (wall s × cores)
  int cores = 1;
  bool saturated = false;
};

struct LoadResult {
  LoadgenConfig config;
  double windowSeconds = 0;  // the measured window (all joined → stop)
  std::vector<ParticipantResult> participants;
  LoadgenCpu loadgenCpu;
  std::optional<ProcessSample> serverBaseline;  // before the first join
  std::optional<ProcessSample> serverStart;     // at the start of the window
  std::optional<ProcessSample> serverEnd;    // at its end
};

struct Summary {
  int consultations = 0;
  int failedConsultations = 0;
  std::vector<std::string> failures;  // "c3-a: dtls: handshake timeout"
  uint64_t packetsSent = 0;
  uint64_t packetsReceived = 0;
  uint64_t packetsExpected = 0;
  int64_t packetsLost = 0;
  double lossFraction = 0;
  double latencyP50Ms = 0;
  double latencyP99Ms = 0;
  double latencyMaxMs = 0;
  std::optional<double> joinP50Ms;
  std::optional<double> joinP99Ms;
  std::optional<double> serverCpuSecondsPerConsultationMinute;
  // (RSS at the end - RSS before the first join) / participants.
  std::optional<double> serverRssBytesPerParticipant;
};

// The packet counters of `end` minus those of `start` (both snapshots of one participant):
// what happened in the measured window. Everything else (name, failure, join time,
// latency, gaps) is taken from `end`.
ParticipantResult windowDelta(const ParticipantResult& end, const ParticipantResult& start);

// Nearest-rank percentile (p in [0, 1]) of `values`; nullopt when empty.
std::optional<double> percentile(std::vector<double> values, double p);
// Lost / expected, 0 when nothing was expected; duplicates (negative loss) count as 0.
double lossFraction(uint64_t expected, int64_t lost);
// CPU seconds spent per minute of one consultation: cpu / (consultations × window / 60).
std::optional<double> cpuSecondsPerConsultationMinute(double cpuSeconds, int consultations, double windowSeconds);
// Saturated when any loop thread or the whole process is above kSaturationShare.
bool isSaturated(const LoadgenCpu& cpu);

Summary summarize(const LoadResult& result);
boost::json::value toJson(const LoadResult& result, const Summary& summary);
// A few lines for people; the JSON has everything.
std::string formatSummary(const LoadResult& result, const Summary& summary);

}  // namespace medrtc::loadgen
