#include "sdp/server_capabilities.hpp"

#include <gtest/gtest.h>

namespace medrtc::sdp {
namespace {

Codec h264(int pt, const std::string& fmtp) { return Codec{pt, "H264", 90000, 0, fmtp, {}, {}}; }

TEST(ServerCapabilities, CanonicalPayloadTypes) {
  EXPECT_EQ(canonicalPayloadType(Codec{96, "OPUS", 48000, 2, "", {}, {}}), 111);
  EXPECT_EQ(canonicalPayloadType(Codec{120, "VP8", 90000, 0, "", {}, {}}), 96);
  EXPECT_EQ(canonicalPayloadType(h264(126, "profile-level-id=42e01f;packetization-mode=1")), 102);
  EXPECT_EQ(canonicalPayloadType(h264(102, "packetization-mode=1;profile-level-id=42001f")), 102);
  EXPECT_FALSE(canonicalPayloadType(h264(116, "packetization-mode=1;profile-level-id=4d001f")));
  EXPECT_FALSE(canonicalPayloadType(h264(104, "packetization-mode=0;profile-level-id=42001f")));
  EXPECT_FALSE(canonicalPayloadType(h264(96, "profile-level-id=42e01f")));  // mode defaults to 0
  EXPECT_FALSE(canonicalPayloadType(Codec{98, "VP9", 90000, 0, "profile-id=0", {}, {}}));
  EXPECT_FALSE(canonicalPayloadType(Codec{0, "PCMU", 8000, 1, "", {}, {}}));
  EXPECT_FALSE(canonicalPayloadType(Codec{111, "opus", 48000, 1, "", {}, {}}));  // mono opus
  EXPECT_FALSE(canonicalPayloadType(Codec{97, "rtx", 90000, 0, "apt=96", {}, 96}));
}

TEST(ServerCapabilities, PayloadTypeMapCoversRtx) {
  std::vector<Codec> firefox = {
      Codec{120, "VP8", 90000, 0, "", {}, {}},
      Codec{124, "rtx", 90000, 0, "apt=120", {}, 120},
  };
  auto map = canonicalPayloadTypeMap(firefox);
  ASSERT_EQ(map.size(), 2u);
  EXPECT_EQ(map[0].from, 120);
  EXPECT_EQ(map[0].to, 96);
  EXPECT_EQ(map[1].from, 124);
  EXPECT_EQ(map[1].to, 97);
}

TEST(ServerCapabilities, CanonicalCodecsForSubscribers) {
  auto codecs = canonicalCodecsFor(h264(126, "profile-level-id=42e01f;packetization-mode=1"));
  ASSERT_EQ(codecs.size(), 2u);
  EXPECT_EQ(codecs[0].payloadType, 102);
  EXPECT_EQ(codecs[1].payloadType, 103);
  EXPECT_EQ(codecs[1].rtxFor, 102);
  EXPECT_EQ(codecs[1].fmtp, "apt=102");
  auto opus = canonicalCodecsFor(Codec{109, "opus", 48000, 2, "", {}, {}});
  ASSERT_EQ(opus.size(), 1u);
  EXPECT_EQ(opus[0].payloadType, 111);
  EXPECT_EQ(opus[0].fmtp, "minptime=10;useinbandfec=1;usedtx=1");
  EXPECT_TRUE(canonicalCodecsFor(Codec{98, "VP9", 90000, 0, "", {}, {}}).empty());
}

}  // namespace
}  // namespace medrtc::sdp
