// medrtc-tap only (never in `medrtc`, the package or `ninja`'s default targets): records
// every RTP packet the SFU forwards so the end-to-end encryption tests can show that what
// the server relays is ciphertext (docs/e2ee.md "The test tap").
//
// With MEDRTC_TEST_TAP_DIR=<dir> each forwarded packet is appended to <dir>/<ssrc>.tap as
//   u64 ms since start | u32 ssrc | u16 seq | u8 payload type | u8 marker | u32 length | payload
// all big-endian (tests/support/media-tap.mjs reads it), at most 64 MiB in all.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sfu/forward_tap.hpp"

namespace {

constexpr uint64_t kMaxTotalBytes = 64ull * 1024 * 1024;

struct Recorder {
  std::filesystem::path dir;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::mutex mutex;  // packets arrive from every media worker
  std::map<uint32_t, std::FILE*> files;
  uint64_t written = 0;
};

Recorder* recorder = nullptr;

void put(std::vector<uint8_t>& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<uint8_t>(value >> (8 * i)));
  }
}

void record(const medrtc::rtp::RtpPacketView& packet) {
  auto payload = packet.payload();
  std::vector<uint8_t> rec;
  rec.reserve(20 + payload.size());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - recorder->start);
  put(rec, static_cast<uint64_t>(ms.count()), 8);
  put(rec, packet.ssrc(), 4);
  put(rec, packet.sequenceNumber(), 2);
  put(rec, packet.payloadType(), 1);
  put(rec, packet.marker() ? 1 : 0, 1);
  put(rec, payload.size(), 4);
  rec.insert(rec.end(), payload.begin(), payload.end());

  std::lock_guard lock(recorder->mutex);
  if (recorder->written + rec.size() > kMaxTotalBytes) {
    return;
  }
  std::FILE*& f = recorder->files[packet.ssrc()];
  if (f == nullptr) {
    f = std::fopen((recorder->dir / (std::to_string(packet.ssrc()) + ".tap")).c_str(), "ab");
    if (f == nullptr) {
      return;
    }
  }
  // Whole records only, flushed at once: a test reads the files while the server runs.
  if (std::fwrite(rec.data(), 1, rec.size(), f) == rec.size()) {
    recorder->written += rec.size();
  }
  std::fflush(f);
}

// Before main: the tap is set before any media worker starts. The pointer is constinit
// null (sfu/forward_tap.cpp), so this TU's initialisation order does not matter.
[[maybe_unused]] const bool installed = [] {
  const char* dir = std::getenv("MEDRTC_TEST_TAP_DIR");
  if (dir == nullptr || *dir == '\0') {
    return false;
  }
  recorder = new Recorder{};  // lives as long as the process
  recorder->dir = dir;
  std::filesystem::create_directories(recorder->dir);
  medrtc::sfu::forwardTap = &record;
  std::fprintf(stderr, "medrtc-tap: recording forwarded RTP to %s\n", dir);
  return true;
}();

}  // namespace
