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
  EXPECT_TRUE(decodes({"video", "vp8", 90000, 0, ""}, kVp8)) << "names compare case-insensitively";
  EXPECT_FALSE(decodes({"video", "VP9", 90000, 0, "profile-id=0"}, kVp8));
  EXPECT_FALSE(decodes({"video", "VP8", 48000, 0, ""}, kVp8));
  EXPECT_TRUE(decodes({"audio", "opus", 48000, 2, "minptime=10"}, kOpus)) << "opus's other fmtp parameters do not matter";
  EXPECT_FALSE(decodes({"audio", "opus", 48000, 0, ""}, kOpus)) << "no channels means one";
}

TEST(DecoderMatch, H264NeedsTheSamePacketizationModeAndProfile) {
  const RtpCodec cb = h264("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=42e01f"}, cb));
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, "profile-level-id=42e034; packetization-mode=1"}, cb))
      << "another level of the same profile";
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=4d801f"}, cb))
      << "constrained baseline spelt with profile_idc 4d";
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "profile-level-id=42e01f"}, cb)) << "packetization-mode 0";
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=640c1f"}, cb)) << "high";
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=42001f"}, cb)) << "baseline";
  EXPECT_FALSE(decodes({"video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=zz"}, cb));
  EXPECT_TRUE(decodes({"video", "H264", 90000, 0, ""}, h264(""))) << "both absent: 42000a, mode 0";
}

TEST(DecoderMatch, AnAnnouncementDecidesRtxAndExtensionsAndAnswersStillRefuse) {
  SubscriberCapabilities unknown;
  EXPECT_TRUE(unknown.canReceive(kVp8));
  EXPECT_TRUE(unknown.receivesRtx("video"));
  EXPECT_FALSE(unknown.receivableExtensions().has_value());

  SubscriberCapabilities vp8Only(ReceiveCapabilities{{{"video", "VP8", 90000, 0, ""}, {"audio", "opus", 48000, 2, ""}},
                                                     {"urn:x"}});
  EXPECT_TRUE(vp8Only.canReceive(kVp8));
  EXPECT_TRUE(vp8Only.canReceive(kOpus));
  EXPECT_FALSE(vp8Only.canReceive(h264("packetization-mode=1;profile-level-id=42e01f")));
  EXPECT_FALSE(vp8Only.receivesRtx("video"));
  EXPECT_EQ(vp8Only.receivableExtensions(), std::vector<std::string>{"urn:x"});
  vp8Only.refuse("0", kVp8);  // its answer still counts
  EXPECT_FALSE(vp8Only.canReceive(kVp8));

  SubscriberCapabilities withRtx(ReceiveCapabilities{{{"video", "rtx", 90000, 0, ""}}, {}});
  EXPECT_TRUE(withRtx.receivesRtx("video"));
  EXPECT_FALSE(withRtx.receivesRtx("audio"));
}

}  // namespace
}  // namespace medrtc::sfu
