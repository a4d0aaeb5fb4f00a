#include "client/synthetic_publisher.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "client/loop_script.hpp"
#include "lite_server.hpp"
#include "rtp/vp8.hpp"

namespace medrtc::client {
namespace {

using namespace std::chrono_literals;

TEST(SyntheticPublisher, FrameSizesAverageTheBitrate) {
  net::EventLoop loop;
  auto pc = PeerConnection::create(loop).value();
  SyntheticPublisher publisher(loop, *pc);  // 1.5 Mbit/s, 30 fps, keyframe every 3 s
  const double bytesPer3s = 89.0 * static_cast<double>(publisher.deltaFrameBytes()) +
                            static_cast<double>(publisher.keyframeBytes());
  EXPECT_NEAR(bytesPer3s * 8 / 3, 1'500'000, 1'500'000 * 0.01);
  EXPECT_NEAR(static_cast<double>(publisher.keyframeBytes()) / static_cast<double>(publisher.deltaFrameBytes()), 4.0,
              0.01);
}

TEST(SyntheticPublisher, PacesAudioAndVideoAtTheConfiguredRates) {
  net::EventLoop loop;
  test::LiteServer server(loop);
  auto pc = PeerConnection::create(loop).value();
  ASSERT_TRUE(pc->applyAnswer(server.answerPublish(pc->createPublishOffer())).ok());
  SyntheticPublisherConfig config;
  config.keyframeInterval = 100ms;
  SyntheticPublisher publisher(loop, *pc, config);
  Micros startedAt{0};
  auto result = runScript(loop,
                          {
                              {"connect", [&] { return pc->connected() && server.connected(); },
                               [&] {
                                 startedAt = loop.now();
                                 publisher.start();
                               }},
                              {"300 ms of media", [&] { return loop.now() - startedAt >= 300ms; },
                               [&] { publisher.stop(); }},
                              {"drain", [&] { return server.rtp.size() >= pc->transport().stats().rtpSent; }, nullptr},
                          },
                          5s);
  ASSERT_TRUE(result.completed) << "stuck at " << result.stuckAt;
  // 300 ms: 15 or 16 audio frames, 9 or 10 video frames (one at t=0), 3 or 4 keyframes.
  EXPECT_GE(publisher.audioFrames(), 15u);
  EXPECT_LE(publisher.audioFrames(), 17u);
  EXPECT_GE(publisher.videoFrames(), 9u);
  EXPECT_LE(publisher.videoFrames(), 11u);
  size_t keyframes = 0;
  for (auto& r : server.rtp) {
    auto view = rtp::RtpPacketView::parse(MutableByteView(r.bytes));
    ASSERT_TRUE(view.ok());
    keyframes += view->ssrc() == pc->videoSsrc() && rtp::isVp8Keyframe(view->payload()) ? 1 : 0;
  }
  EXPECT_GE(keyframes, 3u);
  EXPECT_LE(keyframes, 4u);
}

}  // namespace
}  // namespace medrtc::client
