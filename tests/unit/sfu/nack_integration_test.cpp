// NACK generation toward a publisher (RFC 4585 §6.2.1): a video packet lost on the
// publisher's uplink is asked for again by the SFU, the publisher resends it, and the
// subscriber ends with no gap, without having to NACK anything itself.
#include <gtest/gtest.h>

#include "call_harness.hpp"
#include "rtp/demux.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

TEST(Room, APacketLostOnThePublishersUplinkIsNackedAndRecovered) {
  CallHarness h;
  JoinOptions publisher{.publish = true, .subscribe = false, .relayPublisher = true};
  Endpoint& a = h.join("r", "a", publisher);
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));

  // The uplink loses the 20th video packet once; its retransmission passes.
  int video = 0;
  std::optional<uint16_t> lostSeq;
  a.pubRelay->dropToServer = [&](ByteView d) {
    if (lostSeq || d.size() < 12 || d[0] < 128 || d[0] > 191 || rtp::isRtcp(d) || readU32(&d[8]) != a.pub->videoSsrc() ||
        ++video < 20) {
      return false;
    }
    lostSeq = readU16(&d[2]);
    return true;
  };
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return lostSeq && b.count(MediaKind::kVideo) >= 60; }));
  uint32_t consumerSsrc = *b.receivedSsrcs(MediaKind::kVideo).begin();
  ASSERT_TRUE(h.runUntil([&] { return b.sub->receiveStats().find(consumerSsrc)->lost() == 0; }))
      << "the gap was not filled";
  EXPECT_GE(a.pub->sender()->stats().nacksReceived, 1u) << "the SFU never NACKed the publisher";
  EXPECT_TRUE(a.errors.empty() && b.errors.empty());
}

}  // namespace
}  // namespace medrtc::sfu::test
