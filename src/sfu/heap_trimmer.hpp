#pragma once
// Gives the heap that a worker freed back to the kernel (issue 14 item 3).
//
// glibc keeps what a thread frees in that thread's arena for later allocations and returns
// memory to the kernel only from the top of an arena. A worker frees a call transport's
// DTLS association (~50 KB of OpenSSL state) once the browser has its keys
// (WebRtcTransport::releaseDtls), and a whole transport when a participant leaves; the
// holes these leave between live allocations stay resident, about 50 KiB per participant
// (docs/life-of-a-packet.md, "Memory per participant"). malloc_trim(0) hands their whole
// pages back (madvise). It walks every arena under that arena's lock (0.5-1.5 ms with a
// few dozen participants), so it runs rarely: only after something was freed, once frees
// have paused for a moment (joins come in bursts), and at most once per interval even
// under steady churn. The worker decides when; the trim itself runs on the control thread
// (Worker), so the worker's packets do not wait for it.
#include <cstdint>
#include <functional>

#include "common/clock.hpp"

namespace medrtc::sfu {

struct HeapTrimTiming {
  Micros settle{1'000'000};        // quiet time after the last free before trimming
  Micros minInterval{10'000'000};  // between two trims, and the longest a free waits
};

class HeapTrimmer {
 public:
  using Timing = HeapTrimTiming;
  using Trim = std::function<void()>;

  // `trim` is malloc_trim(0) in the server; tests pass their own to count calls.
  explicit HeapTrimmer(Timing timing = {}, Trim trim = trimProcessHeap);

  // Something large was freed on this thread (a DTLS state, a transport).
  void noteFreed(Micros now);
  // Called on the worker's tick; trims when due and returns true when it did.
  bool onTick(Micros now);

  uint64_t trims() const { return trims_; }
  static void trimProcessHeap();

  // The server's trim, run on the control thread for whichever worker asked (Worker).
  // malloc_trim(0) trims the whole process, so a request within `minInterval` of the
  // last trim run is dropped: with several workers under churn the process still trims
  // at most once per interval (what a dropped request's frees left behind goes with
  // the next trim). Returns whether it trimmed.
  static bool runProcessTrim(Micros now, Micros minInterval = HeapTrimTiming{}.minInterval);
  // Trims runProcessTrim ran, process-wide (medrtc_media_heap_trims_total).
  static uint64_t processTrims();
  // Tests only: the next runProcessTrim trims whenever the last one ran (a test binary
  // runs many calls in one process).
  static void forgetLastProcessTrim();

 private:
  Timing timing_;
  Trim trim_;
  bool pending_ = false;
  Micros firstFreedAt_{0};
  Micros lastFreedAt_{0};
  bool trimmedBefore_ = false;
  Micros lastTrimAt_{0};
  uint64_t trims_ = 0;
};

}  // namespace medrtc::sfu
