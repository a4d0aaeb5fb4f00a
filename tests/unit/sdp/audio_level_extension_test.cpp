// Issue 12 item 7: the publish answer accepts the RFC 6464 ssrc-audio-level extension on
// audio with the offer's id, so publishers put their levels on every audio packet and the
// room can name the active speaker (sfu/active_speaker.hpp).
#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.hpp"
#include "sdp/parse.hpp"
#include "sdp/publish_answer.hpp"
#include "sdp/server_capabilities.hpp"

namespace medrtc::sdp {
namespace {

const LocalTransport kLocal{"srvUfrag", "serverPasswordOf24Chars0",
                            "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
                            "88:99:AA:BB:CC:DD:EE:FF:00",
                            {"203.0.113.5"}, 40000};

TEST(AudioLevelExtension, PublishAnswersAcceptItOnAudioWithTheOfferedId) {
  for (const char* fixture : {"chrome_publish_offer.sdp", "firefox_offer.sdp", "werift_offer.sdp"}) {
    SCOPED_TRACE(fixture);
    auto offer = parse(testing::loadFixture(fixture));
    ASSERT_TRUE(offer.ok());
    const MediaSection* offeredAudio = nullptr;
    for (const MediaSection& m : offer->media) {
      if (m.kind == "audio") {
        offeredAudio = &m;
        break;
      }
    }
    ASSERT_NE(offeredAudio, nullptr);
    auto offered = std::find_if(offeredAudio->extensions.begin(), offeredAudio->extensions.end(),
                                [](const ExtMap& e) { return e.uri == kExtAudioLevel; });
    if (offered == offeredAudio->extensions.end()) {
      continue;  // this stack does not offer it: nothing to accept
    }
    auto answer = answerPublishOffer(*offer, kLocal, ServerCapabilities::defaults());
    ASSERT_TRUE(answer.ok());
    const PublishedTrack* audio = nullptr;
    for (const PublishedTrack& t : answer->tracks) {
      if (t.kind == "audio") {
        audio = &t;
      }
    }
    ASSERT_NE(audio, nullptr);
    auto accepted = std::find_if(audio->extensions.begin(), audio->extensions.end(),
                                 [](const ExtMap& e) { return e.uri == kExtAudioLevel; });
    ASSERT_NE(accepted, audio->extensions.end());
    EXPECT_EQ(accepted->id, offered->id);
  }
}

}  // namespace
}  // namespace medrtc::sdp
