#include "sdp/serialize.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "sdp/parse.hpp"

namespace medrtc::sdp {
namespace {

using testing::loadFixture;
using testing::offerFixtures;

TEST(SdpSerialize, RoundTripPreservesEveryFixture) {
  std::vector<std::string> all = offerFixtures();
  for (const std::string& name : testing::answerFixtures()) {
    all.push_back(name);
  }
  for (const std::string& name : all) {
    auto first = parse(loadFixture(name));
    ASSERT_TRUE(first.ok()) << name;
    std::string text = serialize(*first);
    auto second = parse(text);
    ASSERT_TRUE(second.ok()) << name << ": " << toString(second.error().code) << " line "
                             << second.error().line << "\n" << text;
    EXPECT_EQ(*first, *second) << name;
    EXPECT_EQ(serialize(*second), text) << name << ": serialization is not a fixpoint";
  }
}

TEST(SdpSerialize, UsesCrlfAndStartsWithVersion) {
  auto sdp = parse(loadFixture("firefox_offer.sdp"));  // LF input
  ASSERT_TRUE(sdp.ok());
  std::string text = serialize(*sdp);
  EXPECT_EQ(text.rfind("v=0\r\no=", 0), 0u);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(text[i - 1], '\r');
    }
  }
  EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
}

TEST(SdpSerialize, ChromeOfferKeepsTheLinesThatMatter) {
  std::string original = loadFixture("chrome_publish_offer.sdp");
  auto sdp = parse(original);
  ASSERT_TRUE(sdp.ok());
  std::string text = serialize(*sdp);
  // Every a= line of Chrome's offer survives (possibly reordered), except msid-semantic's
  // spacing which is normalised to Chrome's own.
  size_t pos = 0;
  while (pos < original.size()) {
    size_t end = original.find("\r\n", pos);
    std::string line = original.substr(pos, end - pos);
    pos = end + 2;
    if (line.rfind("a=", 0) == 0) {
      EXPECT_NE(text.find(line + "\r\n"), std::string::npos) << line;
    }
  }
}

TEST(SdpSerialize, WritesModelBuiltByHand) {
  SessionDescription sdp;
  sdp.iceLite = true;
  MediaSection m;
  m.kind = "audio";
  m.protocol = "UDP/TLS/RTP/SAVPF";
  m.formats = {"111"};
  m.mid = "a";
  m.direction = Direction::kRecvOnly;
  m.codecs = {Codec{111, "opus", 48000, 2, "minptime=10", {"transport-cc"}, std::nullopt}};
  m.extensions = {ExtMap{3, "urn:ietf:params:rtp-hdrext:sdes:mid", Direction::kSendOnly, ""}};
  sdp.media.push_back(m);
  std::string text = serialize(sdp);
  EXPECT_NE(text.find("a=ice-lite\r\n"), std::string::npos);
  EXPECT_NE(text.find("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
                      "a=fmtp:111 minptime=10\r\n"),
            std::string::npos);
  EXPECT_NE(text.find("a=extmap:3/sendonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n"),
            std::string::npos);
  EXPECT_NE(text.find("a=recvonly\r\n"), std::string::npos);
  auto back = parse(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->media[0], m);
}

}  // namespace
}  // namespace medrtc::sdp
