// libFuzzer target for the RFC 4571 reader (ICE-TCP framing). The first input byte picks
// how the rest is cut into reads, as TCP may cut it anywhere: the frames and the error
// must be the same as when the stream arrives in one piece, every frame 1..1500 bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "net/tcp_framing.hpp"

using namespace medrtc;
using namespace medrtc::net;

namespace {

struct Outcome {
  std::vector<std::vector<uint8_t>> frames;
  bool failed = false;
};

Outcome readInChunks(ByteView stream, size_t chunk) {
  Outcome out;
  Rfc4571Reader reader;
  auto collect = [&](MutableByteView frame) {
    if (frame.empty() || frame.size() > Rfc4571Reader::kMaxFrameLength) {
      std::abort();
    }
    frame[0] ^= 0xFF;  // the view is writable (SRTP decrypts in place); undo to compare
    frame[0] ^= 0xFF;
    out.frames.emplace_back(frame.begin(), frame.end());
  };
  for (size_t at = 0; at < stream.size(); at += chunk) {
    size_t n = std::min(chunk, stream.size() - at);
    if (!reader.feed(stream.subspan(at, n), collect).ok()) {
      out.failed = true;
      break;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  size_t chunk = 1 + data[0] % 64;
  ByteView stream(data + 1, size - 1);
  Outcome whole = readInChunks(stream, stream.size() + 1);
  Outcome pieces = readInChunks(stream, chunk);
  if (whole.failed != pieces.failed || whole.frames != pieces.frames) {
    std::abort();
  }
  return 0;
}
