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

#include <algorithm>
#include <array>

#include "rtp/transport_cc_generator.hpp"

namespace medrtc::sfu::test {
namespace {

// The subscriber reports what it received (as a browser's RemoteEstimatorProxy does, every
// 50 ms): the SFU's estimate of its downlink appears in the quality figures.
TEST(Room, TransportCcFeedbackFromASubscriberGivesAnEstimate) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  MediaPump pump(h.loop(), a);
  pump.start();
  rtp::TransportCcFeedbackGenerator generator;
  size_t reported = 0;
  std::array<uint8_t, 1500> buffer{};
  uint64_t estimate = 0;
  bool done = h.runUntil(
      [&] {
        for (; reported < b.received.size(); ++reported) {
          const ReceivedRtp& r = b.received[reported];
          if (r.transportSequence) {
            generator.onPacket(*r.transportSequence, r.at.count());
          }
        }
        while (size_t n = generator.buildFeedback(buffer, 1, 0)) {
          b.sub->sendFeedback(ByteView(buffer.data(), n));
        }
        for (const auto& report : h.qualityReports()) {
          for (const ParticipantQuality& q : report.figures) {
            if (q.participantId == "b" && q.estimatedBandwidthBps > 0) {
              estimate = q.estimatedBandwidthBps;
            }
          }
        }
        return estimate > 0;
      },
      std::chrono::seconds(20));
  pump.stop();
  ASSERT_TRUE(done) << "no estimate in " << h.qualityReports().size() << " quality reports";
  // Loopback carries far more than the start value; the estimate is within its range.
  EXPECT_GE(estimate, 30'000u);
  EXPECT_LE(estimate, 10'000'000u);
  // /metrics shows the feedback was accepted (and none ignored). The counters reach the
  // control side with the worker's next figures, so wait for them rather than read once.
  double accepted = -1;
  double ignored = -1;
  h.runUntil(
      [&] {
        std::vector<metrics::Family> families;
        h.plane().collectMetrics(families);
        accepted = -1;
        ignored = -1;
        for (const auto& f : families) {
          for (const auto& s : f.samples) {
            if (f.name == "medrtc_media_transport_cc_feedback_total") {
              accepted = std::max(accepted, 0.0) + s.value;
            } else if (f.name == "medrtc_media_transport_cc_ignored_total") {
              ignored = std::max(ignored, 0.0) + s.value;
            }
          }
        }
        return accepted >= 10;
      },
      std::chrono::seconds(5));
  EXPECT_GE(accepted, 10) << "feedback accepted";
  EXPECT_EQ(ignored, 0) << "feedback ignored";
}

}  // namespace
}  // namespace medrtc::sfu::test
