// HeapTrimmer: when a worker gives freed heap back (sfu/heap_trimmer.hpp), and that
// malloc_trim really returns the holes that freed DTLS states leave between live blocks.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "sfu/heap_trimmer.hpp"

namespace medrtc::sfu {
namespace {

using namespace std::chrono_literals;

struct Counted {
  HeapTrimmer trimmer{HeapTrimmer::Timing{Micros{1s}, Micros{10s}}, [this] { ++trims; }};
  int trims = 0;
};

TEST(HeapTrimmer, NothingFreedNothingTrimmed) {
  Counted c;
  for (auto t = 0s; t < 60s; t += 1s) {
    EXPECT_FALSE(c.trimmer.onTick(Micros{t}));
  }
  EXPECT_EQ(c.trims, 0);
}

TEST(HeapTrimmer, TrimsOnceTheFreesPause) {
  Counted c;
  c.trimmer.noteFreed(Micros{100ms});
  c.trimmer.noteFreed(Micros{600ms});  // a burst of joins
  EXPECT_FALSE(c.trimmer.onTick(Micros{1500ms})) << "0.9 s after the last free: the burst may go on";
  EXPECT_TRUE(c.trimmer.onTick(Micros{1600ms}));
  EXPECT_FALSE(c.trimmer.onTick(Micros{1620ms})) << "one trim per burst";
  EXPECT_EQ(c.trims, 1);
  EXPECT_EQ(c.trimmer.trims(), 1u);
}

TEST(HeapTrimmer, AtMostOncePerIntervalUnderSteadyChurn) {
  Counted c;
  // A free every 500 ms for a minute never settles: a trim waits at most the interval and
  // they come no closer than it.
  for (auto t = 0ms; t < 60s; t += 20ms) {
    if (t.count() % 500 == 0) {
      c.trimmer.noteFreed(Micros{t});
    }
    c.trimmer.onTick(Micros{t});
  }
  EXPECT_GE(c.trims, 5);
  EXPECT_LE(c.trims, 6);
}

TEST(HeapTrimmer, AFreeSoonAfterATrimWaitsForTheInterval) {
  Counted c;
  c.trimmer.noteFreed(Micros{0s});
  ASSERT_TRUE(c.trimmer.onTick(Micros{1s}));
  c.trimmer.noteFreed(Micros{2s});
  EXPECT_FALSE(c.trimmer.onTick(Micros{4s})) << "settled, but the last trim was 3 s ago";
  EXPECT_TRUE(c.trimmer.onTick(Micros{11s}));
  EXPECT_EQ(c.trims, 2);
}

// Every worker asks for its own trim, but one trim gives back the whole process's heap:
// requests within the interval of the last trim run are dropped.
TEST(HeapTrimmer, TheProcessTrimsAtMostOncePerIntervalWhoeverAsks) {
  const uint64_t before = HeapTrimmer::processTrims();
  const Micros t0{std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now().time_since_epoch())};
  // Times in the past, so later tests in this process are not held back by them.
  EXPECT_TRUE(HeapTrimmer::runProcessTrim(t0 - Micros{1000s}, Micros{10s}));  // worker 0
  EXPECT_FALSE(HeapTrimmer::runProcessTrim(t0 - Micros{999s}, Micros{10s}));  // worker 1, a second later
  EXPECT_FALSE(HeapTrimmer::runProcessTrim(t0 - Micros{991s}, Micros{10s}));
  EXPECT_TRUE(HeapTrimmer::runProcessTrim(t0 - Micros{990s}, Micros{10s}));
  EXPECT_EQ(HeapTrimmer::processTrims(), before + 2);
}

#if defined(__SANITIZE_ADDRESS__)
#define MEDRTC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEDRTC_UNDER_ASAN 1
#endif
#endif

size_t residentBytes() {
  long pages = 0;
  long resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr || std::fscanf(f, "%ld %ld", &pages, &resident) != 2) {
    if (f != nullptr) {
      std::fclose(f);
    }
    return 0;
  }
  std::fclose(f);
  return static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// What the worker sees: on its own thread (its own arena), many 48 KiB states freed while
// small blocks allocated after each stay live, so no free reaches the arena's top and
// glibc keeps every hole resident until the trim.
TEST(HeapTrimmer, TheProcessTrimGivesBackTheHolesBetweenLiveBlocks) {
#ifdef MEDRTC_UNDER_ASAN
  GTEST_SKIP() << "ASan replaces malloc; malloc_trim does nothing there";
#else
  constexpr size_t kStates = 400;
  constexpr size_t kStateBytes = 48 * 1024;  // under the mmap threshold: from the arena
  size_t beforeTrim = 0;
  size_t afterTrim = 0;
  std::thread worker([&] {
    std::vector<std::unique_ptr<char[]>> states;
    std::vector<std::unique_ptr<char[]>> live;
    for (size_t i = 0; i < kStates; ++i) {
      states.emplace_back(new char[kStateBytes]);
      std::fill_n(states.back().get(), kStateBytes, static_cast<char>(i));  // resident
      live.emplace_back(new char[64]);
    }
    states.clear();  // the DTLS releases
    beforeTrim = residentBytes();
    HeapTrimmer::trimProcessHeap();
    afterTrim = residentBytes();
  });
  worker.join();
  ASSERT_GT(beforeTrim, 0u);
  const size_t freedStates = kStates * kStateBytes;
  EXPECT_GE(beforeTrim - std::min(beforeTrim, afterTrim), freedStates / 2)
      << "resident before the trim " << beforeTrim << " B, after " << afterTrim << " B";
#endif
}

}  // namespace
}  // namespace medrtc::sfu
