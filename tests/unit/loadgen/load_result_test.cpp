#include "loadgen/load_result.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace medrtc::loadgen {
namespace {

using namespace std::chrono_literals;

TEST(LoadResultMath, NearestRankPercentile) {
  EXPECT_FALSE(percentile({}, 0.5));
  EXPECT_DOUBLE_EQ(*percentile({7}, 0.99), 7);
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) {
    v.push_back(i);  // unsorted on purpose
  }
  EXPECT_DOUBLE_EQ(*percentile(v, 0.5), 50);
  EXPECT_DOUBLE_EQ(*percentile(v, 0.99), 99);
  EXPECT_DOUBLE_EQ(*percentile(v, 1.0), 100);
  EXPECT_DOUBLE_EQ(*percentile(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(*percentile({10, 20, 30, 40}, 0.5), 20);
  EXPECT_DOUBLE_EQ(*percentile({10, 20, 30, 40}, 0.51), 30);
}

TEST(LoadResultMath, LossFraction) {
  EXPECT_DOUBLE_EQ(lossFraction(0, 0), 0);
  EXPECT_DOUBLE_EQ(lossFraction(1000, 5), 0.005);
  EXPECT_DOUBLE_EQ(lossFraction(1000, -3), 0);  // duplicates are not negative loss
}

TEST(LoadResultMath, CpuSecondsPerConsultationMinute) {
  // 30 CPU seconds over 60 s for 10 consultations = 3 s per consultation-minute.
  EXPECT_DOUBLE_EQ(*cpuSecondsPerConsultationMinute(30, 10, 60), 3.0);
  // 1.5 CPU seconds over 30 s for 2 consultations: 1.5 / (2 × 0.5) = 1.5.
  EXPECT_DOUBLE_EQ(*cpuSecondsPerConsultationMinute(1.5, 2, 30), 1.5);
  EXPECT_FALSE(cpuSecondsPerConsultationMinute(1, 0, 60));
  EXPECT_FALSE(cpuSecondsPerConsultationMinute(1, 2, 0));
}

TEST(LoadResultMath, Saturation) {
  LoadgenCpu cpu;
  cpu.processShareOfCores = 0.5;
  cpu.loopThreadShares = {0.3, 0.6};
  EXPECT_FALSE(isSaturated(cpu));
  cpu.loopThreadShares = {0.3, 0.95};  // one loop thread is the bottleneck
  EXPECT_TRUE(isSaturated(cpu));
  cpu.loopThreadShares = {0.2};
  cpu.processShareOfCores = 0.93;
  EXPECT_TRUE(isSaturated(cpu));
}

ParticipantResult participant(std::string name, int consultation, uint64_t expected, int64_t lost) {
  ParticipantResult p;
  p.name = std::move(name);
  p.consultation = consultation;
  p.packetsSent = 1000;
  p.packetsExpected = expected;
  p.packetsLost = lost;
  p.packetsReceived = expected - static_cast<uint64_t>(std::max<int64_t>(lost, 0));
  return p;
}

TEST(LoadResultSummary, TotalsFailuresAndServerFigures) {
  LoadResult r;
  r.config.consultations = 3;
  r.config.serverPid = 42;
  r.windowSeconds = 30;
  auto a0 = participant("c0-a", 0, 1000, 2);
  auto b0 = participant("c0-b", 0, 1000, -1);
  auto a1 = participant("c1-a", 1, 1000, 8);
  auto b1 = participant("c1-b", 1, 0, 0);
  b1.failure = "did not receive remote media within 10 s";
  auto a2 = participant("c2-a", 2, 1000, 0);
  auto b2 = participant("c2-b", 2, 1000, 0);
  a2.failure = "stopped receiving for 2500 ms";
  a0.joinMs = 100;
  b0.joinMs = 120;
  a1.joinMs = 300;
  for (int i = 0; i < 99; ++i) {
    a0.latency.add(1000us);
  }
  a0.latency.add(20000us);
  r.participants = {a0, b0, a1, b1, a2, b2};
  r.serverBaseline = ProcessSample{1.0, 10 << 20};
  r.serverStart = ProcessSample{2.0, 16 << 20};
  r.serverEnd = ProcessSample{3.5, 16 << 20};

  const Summary s = summarize(r);
  EXPECT_EQ(s.consultations, 3);
  EXPECT_EQ(s.failedConsultations, 2);
  ASSERT_EQ(s.failures.size(), 2U);
  EXPECT_EQ(s.failures[0], "c1-b: did not receive remote media within 10 s");
  EXPECT_EQ(s.packetsSent, 6000U);
  EXPECT_EQ(s.packetsExpected, 5000U);
  EXPECT_EQ(s.packetsLost, 10);  // the duplicate does not cancel loss elsewhere
  EXPECT_DOUBLE_EQ(s.lossFraction, 0.002);
  EXPECT_NEAR(s.latencyP50Ms, 1.0, 0.13);  // histogram resolution 12.5 %
  EXPECT_DOUBLE_EQ(s.latencyMaxMs, 20.0);
  EXPECT_DOUBLE_EQ(*s.joinP50Ms, 120);
  EXPECT_DOUBLE_EQ(*s.joinP99Ms, 300);
  // 1.5 CPU s over 30 s for 3 consultations: 1.5 / (3 × 0.5) = 1.
  EXPECT_DOUBLE_EQ(*s.serverCpuSecondsPerConsultationMinute, 1.0);
  EXPECT_DOUBLE_EQ(*s.serverRssBytesPerParticipant, static_cast<double>(6 << 20) / 6.0);

  const boost::json::value j = toJson(r, s);
  EXPECT_EQ(j.at("failed_consultations").as_int64(), 2);
  EXPECT_EQ(j.at("participants").as_array().size(), 6U);
  EXPECT_EQ(j.at("participants").at(3).at("ok").as_bool(), false);
  EXPECT_EQ(j.at("participants").at(3).at("join_ms").is_null(), true);
  EXPECT_DOUBLE_EQ(j.at("server").at("cpu_seconds_per_consultation_minute").as_double(), 1.0);
  EXPECT_EQ(j.at("loadgen").at("loadgen_saturated").as_bool(), false);

  const std::string text = formatSummary(r, s);
  EXPECT_NE(text.find("2 failed"), std::string::npos);
  EXPECT_NE(text.find("FAILED c1-b"), std::string::npos);
}

TEST(LoadResultSummary, NoServerPidMeansNoServerFigures) {
  LoadResult r;
  r.config.consultations = 1;
  r.windowSeconds = 5;
  r.participants = {participant("c0-a", 0, 100, 0), participant("c0-b", 0, 100, 0)};
  const Summary s = summarize(r);
  EXPECT_EQ(s.failedConsultations, 0);
  EXPECT_FALSE(s.serverCpuSecondsPerConsultationMinute);
  EXPECT_FALSE(s.serverRssBytesPerParticipant);
  EXPECT_FALSE(s.joinP50Ms);
  EXPECT_TRUE(toJson(r, s).at("server").at("cpu_seconds_per_consultation_minute").is_null());
}

}  // namespace
}  // namespace medrtc::loadgen

namespace medrtc::loadgen {
namespace {

TEST(LoadResultMath, WindowDeltaCountsOnlyTheWindow) {
  ParticipantResult start;
  start.packetsSent = 100;
  start.packetsReceived = 90;
  start.packetsExpected = 95;
  start.packetsLost = 5;
  start.audioReceived = 40;
  start.videoReceived = 50;
  ParticipantResult end = start;
  end.name = "c0-a";
  end.failure = "x";
  end.packetsSent = 1100;
  end.packetsReceived = 1080;
  end.packetsExpected = 1095;
  end.packetsLost = 15;
  end.audioReceived = 290;
  end.videoReceived = 790;
  const ParticipantResult d = windowDelta(end, start);
  EXPECT_EQ(d.name, "c0-a");
  EXPECT_EQ(d.failure, "x");
  EXPECT_EQ(d.packetsSent, 1000U);
  EXPECT_EQ(d.packetsReceived, 990U);
  EXPECT_EQ(d.packetsExpected, 1000U);
  EXPECT_EQ(d.packetsLost, 10);
  EXPECT_EQ(d.audioReceived, 250U);
  EXPECT_EQ(d.videoReceived, 740U);
  // A participant that joined late: nothing before the window.
  EXPECT_EQ(windowDelta(end, ParticipantResult{}).packetsReceived, 1080U);
}

}  // namespace
}  // namespace medrtc::loadgen
