// Codec intersection per subscriber (issue 12 item 1): a subscriber that cannot decode a
// publisher's codec is not sent that track, keeps everything else, and is told why
// (MediaEvents::onCodecUnsupported → codec_unsupported). Synthetic clients on loopback
// against the real media plane (call_harness.hpp).
#include <gtest/gtest.h>

#include "sdp/parse.hpp"
#include "sdp/server_capabilities.hpp"
#include "sfu/call_harness.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

// The synthetic client offers VP8 at 96; this relabels it H.264 constrained baseline, as
// an H.264-only publisher's offer reads.
std::string asH264(std::string offer) {
  const std::string vp8 = "a=rtpmap:96 VP8/90000\r\n";
  auto at = offer.find(vp8);
  if (at != std::string::npos) {
    offer.replace(at, vp8.size(),
                  "a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n");
  }
  return offer;
}

// Active (port != 0) m-lines of `kind` in a subscriber offer.
size_t activeLines(const std::string& offer, const std::string& kind) {
  auto parsed = sdp::parse(offer);
  size_t n = 0;
  if (parsed.ok()) {
    for (const auto& m : parsed->media) {
      n += m.kind == kind && !m.rejected() ? 1 : 0;
    }
  }
  return n;
}

TEST(CodecIntersection, AnH264PublisherIsNotSentToASubscriberWithoutH264ButItsAudioIs) {
  CallHarness h;
  JoinOptions h264Publisher;
  h264Publisher.subscribe = false;
  h264Publisher.editOffer = asH264;
  Endpoint& a = h.join("r", "a", h264Publisher);
  ASSERT_TRUE(h.runUntil([&] { return a.published && a.pubConnected(); }));
  ASSERT_NE(a.publishAnswer.find("H264/90000"), std::string::npos) << "the answer must keep H.264: nothing else was offered";

  JoinOptions vp8Only;
  vp8Only.publish = false;
  vp8Only.pc.noDecoderFor = {"H264"};
  Endpoint& b = h.join("r", "b", vp8Only);
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.subConnected() && b.count(MediaKind::kAudio) >= 20; }));
  pump.stop();

  // The first offer had the video (b's codecs were not known yet); b answered it with port
  // 0, and from then on the room knows: one notice, no video forwarded.
  ASSERT_EQ(h.codecUnsupported(), (std::vector<std::string>{"b a video H264"}));
  EXPECT_EQ(b.count(MediaKind::kVideo), 0u);
  EXPECT_TRUE(h.failures().empty());

  // A second H.264 publisher: its video is not even offered to b, and b hears why at once.
  JoinOptions second = h264Publisher;
  Endpoint& c = h.join("r", "c", second);
  ASSERT_TRUE(h.runUntil([&] { return c.published && h.codecUnsupported().size() == 2; }));
  EXPECT_EQ(h.codecUnsupported()[1], "b c video H264");
  ASSERT_TRUE(h.runUntil([&] { return b.offers.size() >= 2 && b.answeredVersion == b.offerVersions.back(); }));
  EXPECT_EQ(activeLines(b.offers.back(), "video"), 0u) << b.offers.back();
  EXPECT_EQ(activeLines(b.offers.back(), "audio"), 2u) << b.offers.back();
}

TEST(CodecIntersection, ASubscriberThatDecodesH264GetsIt) {
  CallHarness h;
  JoinOptions h264Publisher;
  h264Publisher.subscribe = false;
  h264Publisher.editOffer = asH264;
  Endpoint& a = h.join("r", "a", h264Publisher);
  JoinOptions subscriberOnly;
  subscriberOnly.publish = false;
  Endpoint& b = h.join("r", "b", subscriberOnly);
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  ASSERT_TRUE(h.runUntil([&] { return !b.offers.empty() && b.answeredVersion == b.offerVersions.back(); }));
  EXPECT_EQ(activeLines(b.offers.back(), "video"), 1u);
  EXPECT_NE(b.offers.back().find("H264/90000"), std::string::npos);
  EXPECT_TRUE(h.codecUnsupported().empty());
}

// What a browser announces at join (join.decoders: VP8 and Opus, no H.264, no RTX).
ReceiveCapabilities vp8AndOpus(std::vector<std::string> headerExtensions) {
  return ReceiveCapabilities{{{"video", "VP8", 90000, 0, ""}, {"audio", "opus", 48000, 2, "minptime=10"}},
                             std::move(headerExtensions)};
}

TEST(CodecIntersection, AnnouncedDecodersKeepH264OutOfTheFirstOfferAndSayWhyAtOnce) {
  CallHarness h;
  JoinOptions h264Publisher;
  h264Publisher.subscribe = false;
  h264Publisher.editOffer = asH264;
  Endpoint& a = h.join("r", "a", h264Publisher);
  ASSERT_TRUE(h.runUntil([&] { return a.published && a.pubConnected(); }));

  JoinOptions vp8Only;
  vp8Only.publish = false;
  vp8Only.pc.noDecoderFor = {"H264"};  // it would refuse an H.264 m-line with port 0
  vp8Only.decoders = vp8AndOpus({});
  Endpoint& b = h.join("r", "b", vp8Only);
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.subConnected() && b.count(MediaKind::kAudio) >= 20; }));
  pump.stop();

  // The first offer already had only the audio: no m-line for b to refuse, the notice came
  // as b joined.
  ASSERT_FALSE(b.offers.empty());
  const std::string& first = b.offers.front();
  EXPECT_EQ(activeLines(first, "audio"), 1u) << first;
  EXPECT_EQ(first.find("m=video"), std::string::npos) << first;
  EXPECT_EQ(first.find("H264"), std::string::npos) << first;
  // b announced no header extensions: the SFU's own two are not offered.
  EXPECT_EQ(first.find(std::string(sdp::kExtTransportWideCc)), std::string::npos) << first;
  EXPECT_EQ(first.find(std::string(sdp::kExtAbsSendTime)), std::string::npos) << first;
  EXPECT_EQ(h.codecUnsupported(), (std::vector<std::string>{"b a video H264"}));
  EXPECT_EQ(b.count(MediaKind::kVideo), 0u);
  EXPECT_TRUE(h.failures().empty());
}

TEST(CodecIntersection, AnnouncedDecodersWithoutRtxGetVp8WithoutRtxAndOnlyTheirExtensions) {
  CallHarness h;
  JoinOptions publisher;
  publisher.subscribe = false;
  Endpoint& a = h.join("r", "a", publisher);
  ASSERT_TRUE(h.runUntil([&] { return a.published && a.pubConnected(); }));

  JoinOptions subscriber;
  subscriber.publish = false;
  subscriber.decoders = vp8AndOpus({std::string(sdp::kExtTransportWideCc)});
  Endpoint& b = h.join("r", "b", subscriber);
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.subConnected() && b.count(MediaKind::kVideo) >= 20; }));
  pump.stop();

  const std::string& first = b.offers.front();
  EXPECT_EQ(activeLines(first, "video"), 1u) << first;
  EXPECT_NE(first.find("VP8/90000"), std::string::npos) << first;
  EXPECT_EQ(first.find("rtx/"), std::string::npos) << "RTX was not announced: " << first;
  EXPECT_EQ(first.find("ssrc-group:FID"), std::string::npos) << first;
  EXPECT_NE(first.find(std::string(sdp::kExtTransportWideCc)), std::string::npos) << first;
  EXPECT_EQ(first.find(std::string(sdp::kExtAbsSendTime)), std::string::npos) << first;
  EXPECT_TRUE(h.codecUnsupported().empty());
  EXPECT_TRUE(h.failures().empty());

  // Without an announcement the same offer has RTX and both extensions, as before.
  JoinOptions plain;
  plain.publish = false;
  Endpoint& c = h.join("r", "c", plain);
  ASSERT_TRUE(h.runUntil([&] { return !c.offers.empty(); }));
  EXPECT_NE(c.offers.front().find("rtx/90000"), std::string::npos) << c.offers.front();
  EXPECT_NE(c.offers.front().find(std::string(sdp::kExtAbsSendTime)), std::string::npos);
}

}  // namespace
}  // namespace medrtc::sfu::test
