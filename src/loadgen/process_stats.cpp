#include "loadgen/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace medrtc::loadgen {

namespace {

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

double rusageSeconds(int who) {
  rusage usage{};
  if (getrusage(who, &usage) != 0) {
    return 0;
  }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

std::optional<uint64_t> parseProcStatCpuTicks(std::string_view stat) {
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  // After "pid (comm)" come field 3 (state) onwards; utime is field 14, stime 15.
  std::string_view rest = stat.substr(close + 1);
  uint64_t utime = 0;
  uint64_t stime = 0;
  int field = 2;
  size_t i = 0;
  while (i < rest.size() && field < 15) {
    while (i < rest.size() && rest[i] == ' ') {
      ++i;
    }
    size_t end = rest.find(' ', i);
    if (end == std::string_view::npos) {
      end = rest.size();
    }
    ++field;
    if (field == 14 || field == 15) {
      uint64_t value = 0;
      auto [ptr, ec] = std::from_chars(rest.data() + i, rest.data() + end, value);
      if (ec != std::errc() || ptr != rest.data() + end) {
        return std::nullopt;
      }
      (field == 14 ? utime : stime) = value;
    }
    i = end;
  }
  if (field < 15) {
    return std::nullopt;
  }
  return utime + stime;
}

std::optional<uint64_t> parseVmRssBytes(std::string_view status) {
  const size_t at = status.find("VmRSS:");
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  size_t i = at + 6;
  while (i < status.size() && (status[i] == ' ' || status[i] == '\t')) {
    ++i;
  }
  uint64_t kb = 0;
  auto [ptr, ec] = std::from_chars(status.data() + i, status.data() + status.size(), kb);
  if (ec != std::errc() || ptr == status.data() + i) {
    return std::nullopt;
  }
  return kb * 1024;
}

std::optional<ProcessSample> sampleProcess(int pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  auto stat = readFile(base + "/stat");
  auto status = readFile(base + "/status");
  if (!stat || !status) {
    return std::nullopt;
  }
  auto ticks = parseProcStatCpuTicks(*stat);
  auto rss = parseVmRssBytes(*status);
  if (!ticks || !rss) {
    return std::nullopt;
  }
  return ProcessSample{static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK)), *rss};
}

double processCpuSeconds() { return rusageSeconds(RUSAGE_SELF); }
double threadCpuSeconds() { return rusageSeconds(RUSAGE_THREAD); }

}  // namespace medrtc::loadgen
