// A subscriber's announced decoder against the codec a track is forwarded in (issue 12
// item 1): the answerer's format matching of RFC 3264 §6.1, H.264 per RFC 6184 §8.2.2.
#include <gtest/gtest.h>

#include "sfu/decoder_match.hpp"
#include "sfu/subscriber_capabilities.hpp"

namespace medrtc::sfu {
namespace {

RtpCodec h264(const std::string& fmtp) { return RtpCodec{102, "H264", 90000, 0, fmtp, {}, std::nullopt}; }
const RtpCodec kVp8{96, "VP8", 90000, 0, "", {"nack", "nack pli"}, std::nullopt};
const RtpCodec kOpus{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {}, std::nullopt};

TEST(DecoderMatch, NameClockRateAndAudioChannels) {
  EXPECT_TRUE(decodes({"video", "vp8", 90000, 0, ""}, "video", kVp8)) << "names compare case-insensitively";
  EXPECT_FALSE(decodes({"video", "VP9", 90000, 0, "profile-id=0"}, "video", kVp8));
  EXPECT_FALSE(decodes({"video", "VP8", 48000, 0, ""}, "video", kVp8));
  EXPECT_TRUE(decodes({"audio", "opus", 48000, 2, "minptime=10"}, "audio", kOpus)) << "opus's other fmtp parameters do not matter";
  EXPECT_FALSE(decodes({"audio", "opus", 48000, 0, ""}, "audio", kOpus)) << "no channels means one";
}

TEST(DecoderMatch, H264NeedsTheSamePacketizationModeAndProfile) {
  const RtpCodec cb = h264("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=42e01f"}, "video", cb));
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, "profile-level-id=42e034; packetization-mode=1"}, "video", cb))
      << "another level of the same profile";
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=4d801f"}, "video", cb))
      << "constrained baseline spelt with profile_idc 4d";
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "profile-level-id=42e01f"}, "video", cb)) << "packetization-mode 0";
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=640c1f"}, "video", cb)) << "high";
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=42001f"}, "video", cb)) << "baseline";
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=zz"}, "video", cb));
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, ""}, "video", h264(""))) << "both absent: 42000a, mode 0";
}

// A browser lists its decoders per kind; a name under the other kind decodes nothing of
// this one (a forged or garbled announcement must not turn audio/VP8 into a video decoder).
TEST(DecoderMatch, TheKindCounts) {
  EXPECT_FALSE(decodes({"audio", "VP8", 90000, 0, ""}, "video", kVp8));
  EXPECT_FALSE(decodes({"video", "opus", 48000, 2, ""}, "audio", kOpus));
  const RtpCodec videoRed{98, "red", 90000, 0, "", {}, std::nullopt};
  EXPECT_FALSE(decodes({"audio", "red", 90000, 0, ""}, "video", videoRed)) << "red exists under both kinds";
  EXPECT_TRUE(decodes({"video", "red", 90000, 0, ""}, "video", videoRed));
  SubscriberCapabilities swapped(ReceiveCapabilities{{{"audio", "VP8", 90000, 0, ""}}, {}});
  EXPECT_FALSE(swapped.canReceive("video", kVp8));
}

// libwebrtc's H264ProfileLevelId tells Constrained High (640c..) from High (6400..), and a
// browser announces them apart; a decoder of one is not one of the other.
TEST(DecoderMatch, H264ConstrainedHighIsNotHigh) {
  const RtpCodec high = h264("packetization-mode=1;profile-level-id=64001f");
  const RtpCodec constrainedHigh = h264("packetization-mode=1;profile-level-id=640c1f");
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=640c1f"}, "video", high));
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=64001f"}, "video",
                       constrainedHigh));
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=640c34"}, "video",
                      constrainedHigh))
      << "another level of the same profile";
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=640034"}, "video", high));
}

TEST(DecoderMatch, AnAnnouncementDecidesRtxAndExtensionsAndAnswersStillRefuse) {
  SubscriberCapabilities unknown;
  EXPECT_TRUE(unknown.canReceive("video", kVp8));
  EXPECT_TRUE(unknown.receivesRtx("video"));
  EXPECT_FALSE(unknown.receivableExtensions().has_value());

  SubscriberCapabilities vp8Only(ReceiveCapabilities{{{"video", "VP8", 90000, 0, ""}, {"audio", "opus", 48000, 2, ""}},
                                                     {"urn:x"}});
  EXPECT_TRUE(vp8Only.canReceive("video", kVp8));
  EXPECT_TRUE(vp8Only.canReceive("audio", kOpus));
  EXPECT_FALSE(vp8Only.canReceive("video", h264("packetization-mode=1;profile-level-id=42e01f")));
  EXPECT_FALSE(vp8Only.receivesRtx("video"));
  EXPECT_EQ(vp8Only.receivableExtensions(), std::vector<std::string>{"urn:x"});
  vp8Only.refuse("0", "video", kVp8);  // its answer still counts
  EXPECT_FALSE(vp8Only.canReceive("video", kVp8));

  SubscriberCapabilities withRtx(ReceiveCapabilities{{{"video", "rtx", 90000, 0, ""}}, {}});
  EXPECT_TRUE(withRtx.receivesRtx("video"));
  EXPECT_FALSE(withRtx.receivesRtx("audio"));
}

}  // namespace
}  // namespace medrtc::sfu
