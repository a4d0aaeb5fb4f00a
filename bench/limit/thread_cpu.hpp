#pragma once
// Pinning the calling thread to one core, and reading its own CPU time.
#include <pthread.h>
#include <sched.h>
#include <time.h>

namespace medrtc::bench {

// False when the core does not exist or affinity is not allowed; the caller reports it.
inline bool pinThisThread(int cpu) {
  if (cpu < 0) {
    return true;
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// User + system CPU seconds of the calling thread (softirq work done in its context, such
// as loopback delivery of what it sends, is charged here too).
inline double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline double wallSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace medrtc::bench
