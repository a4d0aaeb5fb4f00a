#include "client/media_sender.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "client/synthetic_media.hpp"
#include "rtp/rtcp_writer.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "rtp/vp8.hpp"

namespace medrtc::client {
namespace {

using namespace std::chrono_literals;

struct Capture {
  std::vector<std::vector<uint8_t>> packets;
  rtp::RtpPacketView view(size_t i) { return *rtp::RtpPacketView::parse(MutableByteView(packets.at(i))); }
};

MediaSenderConfig config() {
  MediaSenderConfig c;
  c.audioSsrc = 0xA0A0A0A0;
  c.videoSsrc = 0xB0B0B0B0;
  return c;
}

MediaSender makeSender(Capture& capture, MediaSenderConfig c = config()) {
  return MediaSender(c, [&capture](ByteView p) { capture.packets.emplace_back(p.begin(), p.end()); });
}

TEST(MediaSender, AudioTimestampsAdvance960PerFrame) {
  Capture cap;
  auto sender = makeSender(cap);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sender.sendAudioFrame(Micros(1'000'000 + i * 20'000)), 1u);
  }
  ASSERT_EQ(cap.packets.size(), 3u);
  EXPECT_EQ(cap.view(1).timestamp() - cap.view(0).timestamp(), 960u);
  EXPECT_EQ(cap.view(2).timestamp() - cap.view(1).timestamp(), 960u);
  EXPECT_EQ(static_cast<uint16_t>(cap.view(2).sequenceNumber() - cap.view(0).sequenceNumber()), 2);
  EXPECT_EQ(cap.view(0).payloadType(), 111);
  EXPECT_EQ(cap.view(0).mid(1), "0");
  EXPECT_TRUE(cap.view(0).marker());
  EXPECT_FALSE(cap.view(1).marker());
  EXPECT_EQ(cap.view(0).payload().size(), 80u);
}

TEST(MediaSender, VideoFramesUse90kHzClockAndMarkTheLastPacket) {
  Capture cap;
  auto sender = makeSender(cap);
  const size_t first = sender.sendVideoFrame(Micros(5'000'000), false, 4000);
  const size_t second = sender.sendVideoFrame(Micros(5'000'000) + 100ms, false, 1000);
  ASSERT_EQ(first, 4u);
  ASSERT_EQ(second, 1u);
  EXPECT_TRUE(rtp::isVp8Keyframe(cap.view(0).payload()));  // a stream starts with a keyframe
  EXPECT_FALSE(rtp::isVp8Keyframe(cap.view(4).payload()));
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(cap.view(i).marker(), i == 3);
    EXPECT_EQ(cap.view(i).timestamp(), cap.view(0).timestamp());
  }
  EXPECT_EQ(cap.view(4).timestamp() - cap.view(0).timestamp(), 9000u);
  EXPECT_EQ(sender.stats().video.frames, 2u);
  EXPECT_EQ(sender.stats().video.keyframes, 1u);
}

TEST(MediaSender, TransportSequenceNumberSpansBothStreams) {
  Capture cap;
  auto sender = makeSender(cap);
  sender.sendAudioFrame(Micros(1));
  sender.sendVideoFrame(Micros(1), true, 100);
  sender.sendAudioFrame(Micros(2));
  const uint16_t base = *cap.view(0).transportSequenceNumber(3);
  EXPECT_EQ(*cap.view(1).transportSequenceNumber(3), static_cast<uint16_t>(base + 1));
  EXPECT_EQ(*cap.view(2).transportSequenceNumber(3), static_cast<uint16_t>(base + 2));
  EXPECT_TRUE(cap.view(1).absSendTime(2).has_value());
}

TEST(MediaSender, UnnegotiatedExtensionsAreLeftOut) {
  Capture cap;
  auto c = config();
  c.absSendTimeExtensionId = 0;
  c.transportCcExtensionId = 0;
  auto sender = makeSender(cap, c);
  sender.sendAudioFrame(Micros(1));
  EXPECT_FALSE(cap.view(0).transportSequenceNumber(3).has_value());
  EXPECT_FALSE(cap.view(0).absSendTime(2).has_value());
  EXPECT_EQ(cap.view(0).mid(1), "0");
}

TEST(MediaSender, FirForOurVideoSsrcForcesKeyframe) {
  Capture cap;
  auto sender = makeSender(cap);
  sender.sendVideoFrame(Micros(1), false, 100);
  std::array<uint8_t, 64> rtcp;
  const rtp::FirEntry entries[] = {{0xB0B0B0B0, 1}};
  const size_t n = rtp::writeFir(rtcp, 1, entries);
  sender.handleRtcp(ByteView(rtcp.data(), n), Micros(2));
  EXPECT_TRUE(sender.keyframeRequested());
  sender.sendVideoFrame(Micros(3), false, 100);
  EXPECT_TRUE(rtp::isVp8Keyframe(cap.view(1).payload()));
  EXPECT_FALSE(sender.keyframeRequested());
}

TEST(MediaSender, PliForAnotherSsrcIsIgnored) {
  Capture cap;
  auto sender = makeSender(cap);
  std::array<uint8_t, 64> rtcp;
  const size_t n = rtp::writePli(rtcp, 1, 0x12345678);
  sender.handleRtcp(ByteView(rtcp.data(), n), Micros(2));
  EXPECT_FALSE(sender.keyframeRequested());
}

TEST(MediaSender, NackResendsCachedPacketsAndCountsMisses) {
  Capture cap;
  auto sender = makeSender(cap);
  sender.sendVideoFrame(Micros(1), true, 3000);
  ASSERT_EQ(cap.packets.size(), 3u);
  const uint16_t seq = cap.view(1).sequenceNumber();
  std::array<uint8_t, 64> rtcp;
  const uint16_t lost[] = {seq, static_cast<uint16_t>(seq + 100)};
  const size_t n = rtp::writeGenericNack(rtcp, 1, 0xB0B0B0B0, lost);
  sender.handleRtcp(ByteView(rtcp.data(), n), Micros(2));
  ASSERT_EQ(cap.packets.size(), 4u);
  EXPECT_EQ(cap.view(3).sequenceNumber(), seq);
  const auto original = cap.view(1).payload();
  const auto resent = cap.view(3).payload();
  EXPECT_TRUE(std::equal(original.begin(), original.end(), resent.begin(), resent.end()));
  EXPECT_EQ(sender.stats().nackedPackets, 2u);
  EXPECT_EQ(sender.stats().nackMisses, 1u);
  EXPECT_EQ(sender.stats().video.retransmitted, 1u);
}

TEST(MediaSender, CacheForgetsOverwrittenPackets) {
  Capture cap;
  auto c = config();
  c.videoCachePackets = 4;
  auto sender = makeSender(cap, c);
  for (int i = 0; i < 6; ++i) {
    sender.sendVideoFrame(Micros(i), false, 100);
  }
  EXPECT_FALSE(sender.retransmit(0xB0B0B0B0, cap.view(0).sequenceNumber(), Micros(10)));
  EXPECT_TRUE(sender.retransmit(0xB0B0B0B0, cap.view(5).sequenceNumber(), Micros(10)));
}

TEST(MediaSender, SimulcastSendsEachFrameOnThreeLayersWithTheirRidAndSsrc) {
  Capture cap;
  MediaSenderConfig c = config();
  c.videoRids = {"q", "h", "f"};
  c.ridExtensionId = 4;
  auto sender = makeSender(cap, c);
  ASSERT_EQ(sender.videoLayers(), 3u);
  EXPECT_EQ(sender.videoSsrc(2), 0xB0B0B0B2u);
  const size_t sent = sender.sendVideoFrame(Micros(1'000'000), false, 9000);
  ASSERT_EQ(sent, cap.packets.size());
  std::map<uint32_t, std::pair<std::string, size_t>> bySsrc;  // ssrc → rid, payload bytes
  for (size_t i = 0; i < cap.packets.size(); ++i) {
    auto v = cap.view(i);
    auto rid = v.rid(4);
    ASSERT_TRUE(rid);
    bySsrc[v.ssrc()].first = std::string(*rid);
    bySsrc[v.ssrc()].second += v.payload().size();
    EXPECT_EQ(v.mid(1), "1");
  }
  ASSERT_EQ(bySsrc.size(), 3u);
  EXPECT_EQ(bySsrc[0xB0B0B0B0].first, "q");
  EXPECT_EQ(bySsrc[0xB0B0B0B1].first, "h");
  EXPECT_EQ(bySsrc[0xB0B0B0B2].first, "f");
  // Each layer a third of the next (VP8 descriptors add a few bytes per packet).
  EXPECT_GT(bySsrc[0xB0B0B0B2].second, 2 * bySsrc[0xB0B0B0B1].second);
  EXPECT_GT(bySsrc[0xB0B0B0B1].second, 2 * bySsrc[0xB0B0B0B0].second);
  EXPECT_EQ(sender.stats().video.frames, 1u);

  // A PLI for any layer makes the next frame a keyframe; a NACK is answered on its layer.
  uint8_t rtcp[64];
  const size_t n = rtp::writePli(rtcp, 1, 0xB0B0B0B1);
  sender.handleRtcp(ByteView(rtcp, n), Micros(1'100'000));
  EXPECT_EQ(sender.stats().plisReceived, 1u);
  EXPECT_TRUE(sender.keyframeRequested());
  const uint16_t seq = cap.view(0).sequenceNumber();
  EXPECT_TRUE(sender.retransmit(cap.view(0).ssrc(), seq, Micros(1'200'000)));
  EXPECT_FALSE(sender.retransmit(0xB0B0B0B3, seq, Micros(1'200'000)));  // no fourth layer
}

TEST(MediaSender, WithoutRidsOneVideoStreamCarriesNoRid) {
  Capture cap;
  MediaSenderConfig c = config();
  c.ridExtensionId = 4;
  auto sender = makeSender(cap, c);
  EXPECT_EQ(sender.videoLayers(), 1u);
  sender.sendVideoFrame(Micros(1'000'000), false, 900);
  ASSERT_EQ(cap.packets.size(), 1u);
  EXPECT_EQ(cap.view(0).ssrc(), 0xB0B0B0B0u);
  EXPECT_FALSE(cap.view(0).rid(4));
}

}  // namespace
}  // namespace medrtc::client
