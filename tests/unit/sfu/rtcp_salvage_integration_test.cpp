// RTCP compound salvage (issue 12): a compound whose last packet is malformed (werift's
// transport-cc feedback without padding to 32 bits) still gets its earlier packets acted
// upon, as libwebrtc's RTCPReceiver does, and the dropped rest is counted
// (medrtc_media_rtcp_tails_dropped_total).
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "call_harness.hpp"
#include "rtp/rtcp_writer.hpp"
#include "common/metrics.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

// A counter of the workers' /metrics, summed (the counters live per worker thread).
double metricTotal(CallHarness& h, const std::string& name) {
  std::vector<metrics::Family> families;
  h.plane().collectMetrics(families);
  double total = 0;
  for (const auto& f : families) {
    for (const auto& s : f.samples) {
      total += f.name == name ? s.value : 0;
    }
  }
  return total;
}

TEST(RtcpSalvage, ANackBeforeAMalformedPacketIsStillAnswered) {
  CallHarness h;
  JoinOptions publisher;
  publisher.subscribe = false;
  Endpoint& a = h.join("r", "a", publisher);
  JoinOptions subscriber;
  subscriber.publish = false;
  Endpoint& b = h.join("r", "b", subscriber);
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.subConnected() && b.count(MediaKind::kVideo) >= 30; }));
  const uint32_t videoSsrc = *b.receivedSsrcs(MediaKind::kVideo).begin();
  const ReceivedRtp* seen = b.first(MediaKind::kVideo);
  ASSERT_NE(seen, nullptr);

  double nacksBefore = metricTotal(h, "medrtc_media_nacks_received_total");
  double tailsBefore = metricTotal(h, "medrtc_media_rtcp_tails_dropped_total");
  // RR, a NACK for five packets b already got, then a packet cut short: a header whose
  // length claims more than follows (werift's feedback is 1-3 bytes longer than its length
  // field says, which leaves the next "header" 1-3 bytes long).
  std::array<uint8_t, 256> buffer{};
  size_t n = rtp::writeReceiverReport(MutableByteView(buffer), 0x1234, {});
  std::vector<uint16_t> lost;
  for (uint16_t i = 0; i < 5; ++i) {
    lost.push_back(static_cast<uint16_t>(seen->sequenceNumber + i));
  }
  n += rtp::writeGenericNack(MutableByteView(buffer).subspan(n), 0x1234, videoSsrc, lost);
  buffer[n++] = 0x8F;
  buffer[n++] = 0xCD;
  auto& transport = const_cast<client::ClientTransport&>(b.sub->transport());
  ASSERT_TRUE(transport.sendRtcp(ByteView(buffer.data(), n)));
  transport.flush();

  ASSERT_TRUE(h.runUntil([&] { return metricTotal(h, "medrtc_media_rtcp_tails_dropped_total") > tailsBefore; }));
  EXPECT_GE(metricTotal(h, "medrtc_media_nacks_received_total") - nacksBefore, 5) << "the NACK before the bad tail was read";
  pump.stop();
  EXPECT_TRUE(h.failures().empty());
}

}  // namespace
}  // namespace medrtc::sfu::test
