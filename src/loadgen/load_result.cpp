#include "loadgen/load_result.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include <boost/json.hpp>

namespace medrtc::loadgen {

namespace json = boost::json;

namespace {

double ms(Micros us) { return static_cast<double>(us.count()) / 1000.0; }

json::value optionalNumber(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }

}  // namespace

std::string toString(Target target) { return target == Target::kJanus ? "janus" : "medrtc"; }

ParticipantResult windowDelta(const ParticipantResult& end, const ParticipantResult& start) {
  ParticipantResult r = end;
  r.packetsSent = end.packetsSent - std::min(start.packetsSent, end.packetsSent);
  r.packetsReceived = end.packetsReceived - std::min(start.packetsReceived, end.packetsReceived);
  r.packetsExpected = end.packetsExpected - std::min(start.packetsExpected, end.packetsExpected);
  r.packetsLost = end.packetsLost - start.packetsLost;
  r.audioReceived = end.audioReceived - std::min(start.audioReceived, end.audioReceived);
  r.videoReceived = end.videoReceived - std::min(start.videoReceived, end.videoReceived);
  return r;
}

std::optional<double> percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return std::nullopt;
  }
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p of the samples at or below it.
  const double rank = std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

double lossFraction(uint64_t expected, int64_t lost) {
  if (expected == 0 || lost <= 0) {
    return 0.0;
  }
  return static_cast<double>(lost) / static_cast<double>(expected);
}

std::optional<double> cpuSecondsPerConsultationMinute(double cpuSeconds, int consultations, double windowSeconds) {
  if (consultations <= 0 || windowSeconds <= 0) {
    return std::nullopt;
  }
  return cpuSeconds / (static_cast<double>(consultations) * windowSeconds / 60.0);
}

bool isSaturated(const LoadgenCpu& cpu) {
  if (cpu.processShareOfCores > kSaturationShare) {
    return true;
  }
  return std::any_of(cpu.loopThreadShares.begin(), cpu.loopThreadShares.end(),
                     [](double share) { return share > kSaturationShare; });
}

Summary summarize(const LoadResult& result) {
  Summary s;
  s.consultations = result.config.consultations;
  client::LatencyHistogram latency;
  std::vector<double> joins;
  std::vector<bool> consultationFailed(static_cast<size_t>(std::max(result.config.consultations, 0)), false);
  for (const ParticipantResult& p : result.participants) {
    s.packetsSent += p.packetsSent;
    s.packetsReceived += p.packetsReceived;
    s.packetsExpected += p.packetsExpected;
    s.packetsLost += std::max<int64_t>(p.packetsLost, 0);
    latency.merge(p.latency);
    if (p.joinMs) {
      joins.push_back(*p.joinMs);
    }
    if (!p.failure.empty()) {
      s.failures.push_back(p.name + ": " + p.failure);
      if (p.consultation >= 0 && static_cast<size_t>(p.consultation) < consultationFailed.size()) {
        consultationFailed[static_cast<size_t>(p.consultation)] = true;
      }
    }
  }
  s.failedConsultations = static_cast<int>(std::count(consultationFailed.begin(), consultationFailed.end(), true));
  s.lossFraction = lossFraction(s.packetsExpected, s.packetsLost);
  s.latencyP50Ms = ms(latency.percentile(0.5));
  s.latencyP99Ms = ms(latency.percentile(0.99));
  s.latencyMaxMs = ms(latency.max());
  s.joinP50Ms = percentile(joins, 0.5);
  s.joinP99Ms = percentile(joins, 0.99);
  if (result.serverStart && result.serverEnd) {
    s.serverCpuSecondsPerConsultationMinute = cpuSecondsPerConsultationMinute(
        result.serverEnd->cpuSeconds - result.serverStart->cpuSeconds, result.config.consultations, result.windowSeconds);
  }
  if (result.serverBaseline && result.serverEnd && !result.participants.empty()) {
    s.serverRssBytesPerParticipant =
        (static_cast<double>(result.serverEnd->rssBytes) - static_cast<double>(result.serverBaseline->rssBytes)) /
        static_cast<double>(result.participants.size());
  }
  return s;
}

json::value toJson(const LoadResult& r, const Summary& s) {
  json::object config{{"target", toString(r.config.target)},
                      {"url", r.config.url},
                      {"consultations", r.config.consultations},
                      {"ramp_seconds", r.config.rampSeconds},
                      {"duration_seconds", r.config.durationSeconds},
                      {"video_bitrate_bps", r.config.videoBitrateBps},
                      {"packet_size", r.config.packetSize},
                      {"bind_ip", r.config.bindIp},
                      {"loops", r.config.loops},
                      {"receive_times", r.config.loopReceiveTimes ? "loop" : "kernel"},
                      {"simulcast", r.config.simulcast}};
  if (r.config.serverPid) {
    config["server_pid"] = *r.config.serverPid;
  }
  json::array participants;
  for (const ParticipantResult& p : r.participants) {
    participants.push_back(json::object{{"name", p.name},
                                        {"consultation", p.consultation},
                                        {"ok", p.failure.empty()},
                                        {"failure", p.failure},
                                        {"join_ms", optionalNumber(p.joinMs)},
                                        {"packets_sent", p.packetsSent},
                                        {"packets_received", p.packetsReceived},
                                        {"audio_received", p.audioReceived},
                                        {"video_received", p.videoReceived},
                                        {"packets_expected", p.packetsExpected},
                                        {"packets_lost", p.packetsLost},
                                        {"max_gap_ms", p.maxGapMs},
                                        {"latency_p50_ms", ms(p.latency.percentile(0.5))},
                                        {"latency_p99_ms", ms(p.latency.percentile(0.99))},
                                        {"latency_max_ms", ms(p.latency.max())}});
  }
  json::array loopShares;
  for (double share : r.loadgenCpu.loopThreadShares) {
    loopShares.push_back(share);
  }
  auto sample = [](const std::optional<ProcessSample>& ps) -> json::value {
    if (!ps) {
      return nullptr;
    }
    return json::object{{"cpu_seconds", ps->cpuSeconds}, {"rss_bytes", ps->rssBytes}};
  };
  json::array failures;
  for (const std::string& f : s.failures) {
    failures.push_back(json::value(f));
  }
  return json::object{
      {"config", std::move(config)},
      {"window_seconds", r.windowSeconds},
      {"consultations", s.consultations},
      {"failed_consultations", s.failedConsultations},
      {"failures", std::move(failures)},
      {"packets_sent", s.packetsSent},
      {"packets_received", s.packetsReceived},
      {"packets_expected", s.packetsExpected},
      {"packets_lost", s.packetsLost},
      {"loss_fraction", s.lossFraction},
      {"latency_ms", json::object{{"p50", s.latencyP50Ms}, {"p99", s.latencyP99Ms}, {"max", s.latencyMaxMs}}},
      {"join_ms", json::object{{"p50", optionalNumber(s.joinP50Ms)}, {"p99", optionalNumber(s.joinP99Ms)}}},
      {"server",
       json::object{{"baseline", sample(r.serverBaseline)},
                    {"start", sample(r.serverStart)},
                    {"end", sample(r.serverEnd)},
                    {"cpu_seconds_per_consultation_minute", optionalNumber(s.serverCpuSecondsPerConsultationMinute)},
                    {"rss_bytes_per_participant", optionalNumber(s.serverRssBytesPerParticipant)}}},
      {"loadgen",
       json::object{{"cpu_seconds", r.loadgenCpu.processCpuSeconds},
                    {"cores", r.loadgenCpu.cores},
                    {"share_of_cores", r.loadgenCpu.processShareOfCores},
                    {"loop_thread_shares", std::move(loopShares)},
                    {"loadgen_saturated", r.loadgenCpu.saturated}}},
      {"participants", std::move(participants)},
  };
}

std::string formatSummary(const LoadResult& r, const Summary& s) {
  auto opt = [](const std::optional<double>& v, const char* f) {
    return v ? fmt::format(fmt::runtime(f), *v) : std::string("n/a");
  };
  std::string out;
  out += fmt::format("target {} ({}): {} consultations, {:.1f} s window, {} failed\n", toString(r.config.target),
                     r.config.url, s.consultations, r.windowSeconds, s.failedConsultations);
  out += fmt::format("packets sent {} received {} lost {} (loss {:.3f} %)\n", s.packetsSent, s.packetsReceived,
                     s.packetsLost, s.lossFraction * 100.0);
  out += fmt::format("added latency p50 {:.2f} ms  p99 {:.2f} ms  max {:.2f} ms\n", s.latencyP50Ms, s.latencyP99Ms,
                     s.latencyMaxMs);
  out += fmt::format("join time p50 {} ms  p99 {} ms\n", opt(s.joinP50Ms, "{:.0f}"), opt(s.joinP99Ms, "{:.0f}"));
  if (r.config.serverPid) {
    out += fmt::format("server CPU {} s per consultation-minute, RSS {} KiB per participant\n",
                       opt(s.serverCpuSecondsPerConsultationMinute, "{:.3f}"),
                       opt(s.serverRssBytesPerParticipant ? std::optional<double>(*s.serverRssBytesPerParticipant / 1024.0)
                                                          : std::nullopt,
                           "{:.0f}"));
  }
  out += fmt::format("loadgen CPU {:.1f} % of {} cores{}\n", r.loadgenCpu.processShareOfCores * 100.0,
                     r.loadgenCpu.cores, r.loadgenCpu.saturated ? "  SATURATED: results are limited by the loadgen" : "");
  for (const std::string& f : s.failures) {
    out += "FAILED " + f + "\n";
  }
  return out;
}

}  // namespace medrtc::loadgen
