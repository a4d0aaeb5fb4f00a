// Step 1 of downstream bandwidth estimation end to end: the subscriber's answer keeps the
// abs-send-time and transport-wide-cc extensions the SFU offers (the synthetic client
// echoes them), and every packet forwarded to it, audio and video alike, carries this
// hop's transport-wide sequence number: one counter per subscriber transport, consecutive
// in send order, whatever the publisher's own numbers were.
#include <gtest/gtest.h>

#include "call_harness.hpp"
#include "sdp/server_capabilities.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

TEST(Room, PacketsToASubscriberCarryItsOwnTransportWideNumbers) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  ASSERT_FALSE(b.offers.empty());
  EXPECT_NE(b.offers.back().find(std::string(sdp::kExtTransportWideCc)), std::string::npos);
  EXPECT_NE(b.offers.back().find("transport-cc"), std::string::npos);
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 30 && b.count(MediaKind::kAudio) >= 30; }));
  pump.stop();

  ASSERT_TRUE(b.received.front().transportSequence.has_value());
  uint16_t expected = *b.received.front().transportSequence;
  for (const ReceivedRtp& r : b.received) {
    ASSERT_TRUE(r.transportSequence.has_value()) << "ssrc " << r.ssrc;
    EXPECT_EQ(*r.transportSequence, expected);  // loopback: nothing lost or reordered
    expected = static_cast<uint16_t>(*r.transportSequence + 1);
    EXPECT_TRUE(r.absSendTime.has_value());
  }
}

}  // namespace
}  // namespace medrtc::sfu::test
