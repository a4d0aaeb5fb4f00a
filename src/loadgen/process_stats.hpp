#pragma once
// CPU and memory of a process from /proc (proc(5)), and CPU of the calling thread.
#include <cstdint>
#include <optional>
#include <string_view>

#include "loadgen/load_result.hpp"

namespace medrtc::loadgen {

// utime + stime in clock ticks from the text of /proc/<pid>/stat (fields 14 and 15; the
// comm field may hold spaces and parentheses, so fields are counted after the last ')').
std::optional<uint64_t> parseProcStatCpuTicks(std::string_view stat);
// VmRSS in bytes from the text of /proc/<pid>/status ("VmRSS:   12345 kB").
std::optional<uint64_t> parseVmRssBytes(std::string_view status);

// Reads both files; nullopt if the process is gone or unreadable.
std::optional<ProcessSample> sampleProcess(int pid);
// CPU seconds (user + system) of the whole process and of the calling thread (getrusage).
double processCpuSeconds();
double threadCpuSeconds();

}  // namespace medrtc::loadgen
