// Issue 12 item 5: Opus in-band FEC and DTX are negotiated in both directions — in the
// answer to a publisher (what the server wants to receive) and in the offer to a subscriber
// (what the server sends, which tells the browser's decoder to expect FEC and DTX).
#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "sdp/parse.hpp"
#include "sdp/publish_answer.hpp"
#include "sdp/serialize.hpp"
#include "sdp/server_capabilities.hpp"
#include "sdp/subscriber_offer.hpp"
#include "sdp/text.hpp"

namespace medrtc::sdp {
namespace {

const LocalTransport kLocal{"srvUfrag", "serverPasswordOf24Chars0",
                            "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
                            "88:99:AA:BB:CC:DD:EE:FF:00",
                            {"203.0.113.5"}, 40000};

void expectFecAndDtx(const Codec& opus) {
  EXPECT_EQ(text::fmtpParameter(opus.fmtp, "useinbandfec").value_or(""), "1") << opus.fmtp;
  EXPECT_EQ(text::fmtpParameter(opus.fmtp, "usedtx").value_or(""), "1") << opus.fmtp;
}

TEST(OpusOptions, PublishAnswersAskForInBandFecAndDtxForEveryBrowser) {
  for (const char* fixture : {"chrome_publish_offer.sdp", "firefox_offer.sdp", "safari_offer.sdp", "werift_offer.sdp"}) {
    auto offer = parse(testing::loadFixture(fixture));
    ASSERT_TRUE(offer.ok()) << fixture;
    auto answer = answerPublishOffer(*offer, kLocal, ServerCapabilities::defaults());
    ASSERT_TRUE(answer.ok()) << fixture;
    // Through the wire form: what the browser reads.
    auto reparsed = parse(serialize(answer->answer));
    ASSERT_TRUE(reparsed.ok());
    bool sawAudio = false;
    for (const MediaSection& m : reparsed->media) {
      if (m.kind == "audio" && !m.rejected()) {
        sawAudio = true;
        ASSERT_FALSE(m.codecs.empty());
        SCOPED_TRACE(fixture);
        expectFecAndDtx(m.codecs.front());
      }
    }
    EXPECT_TRUE(sawAudio) << fixture;
  }
}

TEST(OpusOptions, SubscriberOffersCarryInBandFecAndDtx) {
  std::vector<Codec> codecs = canonicalCodecsFor(Codec{109, "opus", 48000, 2, "", {}, {}});
  ASSERT_EQ(codecs.size(), 1u);
  OutgoingTrack audio{"0", "audio", true, "p_a", "t_mic", 1111, 0, "a", codecs};
  auto offer = parse(serialize(buildSubscriberOffer({audio}, kLocal, 1)));
  ASSERT_TRUE(offer.ok());
  ASSERT_EQ(offer->media.size(), 1u);
  expectFecAndDtx(offer->media[0].codecs.at(0));
}

}  // namespace
}  // namespace medrtc::sdp
