#include "loadgen/process_stats.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace medrtc::loadgen {
namespace {

TEST(ProcessStats, ParsesUtimePlusStimeAfterTheCommField) {
  // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime stime ... ; a comm with spaces and ')' must not shift the fields.
  const std::string stat =
      "1234 (med rtc) (x)) S 1 1234 1234 0 -1 4194560 2519 0 0 0 150 25 0 0 20 0 7 0 12345 1000 200";
  EXPECT_EQ(parseProcStatCpuTicks(stat), 175U);
  EXPECT_FALSE(parseProcStatCpuTicks("1234 (x) S 1 2"));
  EXPECT_FALSE(parseProcStatCpuTicks("no parenthesis"));
  EXPECT_FALSE(parseProcStatCpuTicks("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 3 0"));
}

TEST(ProcessStats, ParsesVmRss) {
  EXPECT_EQ(parseVmRssBytes("Name:\tmedrtc\nVmPeak:\t  9000 kB\nVmRSS:\t    5120 kB\nRssAnon: 1 kB\n"), 5120U * 1024);
  EXPECT_FALSE(parseVmRssBytes("Name:\tkthreadd\n"));
}

TEST(ProcessStats, SamplesThisProcess) {
  auto sample = sampleProcess(static_cast<int>(getpid()));
  ASSERT_TRUE(sample);
  EXPECT_GT(sample->rssBytes, 0U);
  EXPECT_GE(sample->cpuSeconds, 0.0);
  EXPECT_FALSE(sampleProcess(-1));
  EXPECT_GE(processCpuSeconds(), threadCpuSeconds() * 0.5);
}

}  // namespace
}  // namespace medrtc::loadgen
