// libFuzzer target for the RTP packet view (src/rtp/): parse any datagram, read every
// accessor and header extension, run the keyframe detectors on the payload, rewrite the
// header in place and check the rewritten packet still parses to the same layout.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "rtp/demux.hpp"
#include "rtp/h264.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "rtp/vp8.hpp"

using namespace medrtc;
using namespace medrtc::rtp;

namespace {

volatile uint64_t sink;

void touch(ByteView b) {
  uint64_t sum = 0;
  for (const uint8_t x : b) {
    sum += x;
  }
  sink = sink + sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buf(data, data + size);
  sink = sink + looksLikeRtpOrRtcp(buf) + isRtcp(buf);
  auto parsed = RtpPacketView::parse(buf);
  if (!parsed.ok()) {
    (void)toString(parsed.error());
    // The detectors take arbitrary payloads too.
    sink = sink + isVp8Keyframe(buf) + isH264Keyframe(buf);
    return 0;
  }
  RtpPacketView& p = *parsed;
  if (p.headerSize() + p.paddingSize() > p.size()) {
    std::abort();
  }
  sink = sink + p.marker() + p.payloadType() + p.sequenceNumber() + p.timestamp() + p.ssrc() + p.extensionProfile();
  for (size_t i = 0; i < p.csrcCount(); ++i) {
    sink = sink + p.csrc(i);
  }
  for (unsigned id = 0; id < 256; ++id) {
    const auto ext = p.extension(static_cast<uint8_t>(id));
    if (ext) {
      touch(*ext);
    }
  }
  for (uint8_t id = 1; id <= 15; ++id) {
    if (auto mid = p.mid(id)) {
      touch(ByteView(reinterpret_cast<const uint8_t*>(mid->data()), mid->size()));
    }
    sink = sink + p.absSendTime(id).value_or(0) + p.transportSequenceNumber(id).value_or(0);
    if (auto level = p.audioLevel(id)) {
      sink = sink + level->level + level->voiceActivity;
    }
  }
  const ByteView payload = p.payload();
  touch(payload);
  sink = sink + isVp8Keyframe(payload) + isH264Keyframe(payload);
  if (auto d = Vp8PayloadDescriptor::parse(payload)) {
    if (d->size > payload.size()) {
      std::abort();
    }
    sink = sink + d->pictureId + d->tl0PicIdx + d->tid + d->keyIdx;
  }

  // In-place rewrite must not change the layout.
  const size_t headerSize = p.headerSize();
  const size_t payloadSize = payload.size();
  p.setSsrc(0x01020304);
  p.setSequenceNumber(0xFFFF);
  p.setTimestamp(0xDEADBEEF);
  p.setPayloadType(127);
  p.setMarker(true);
  (void)p.setTransportSequenceNumber(3, 0x1234);
  auto again = RtpPacketView::parse(buf);
  if (!again.ok() || again->headerSize() != headerSize || again->payload().size() != payloadSize ||
      again->ssrc() != 0x01020304 || again->payloadType() != 127 || !again->marker()) {
    std::abort();
  }
  return 0;
}
