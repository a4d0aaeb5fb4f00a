#include "sdp/subscriber_offer.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.hpp"
#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"
#include "sdp/server_capabilities.hpp"

namespace medrtc::sdp {
namespace {

const LocalTransport kLocal{"subUfrag", "subscriberPassword24Chr",
                            "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:"
                            "11:22:33:44:55:66:77:88:99",
                            {"198.51.100.7"}, 41000};

Codec opus() { return Codec{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}, {}}; }

std::vector<OutgoingTrack> threeTracks() {
  OutgoingTrack audio{"0", "audio", true, "p_alice", "t_mic", 1111, 0, "alice", {opus()}};
  Codec vp8{96, "VP8", 90000, 0, "", {"transport-cc", "nack"}, {}};
  OutgoingTrack video{"1", "video", true, "p_alice", "t_cam", 2222, 2223, "alice",
                      canonicalCodecsFor(vp8)};
  OutgoingTrack gone{"2", "audio", false, "p_bob", "t_mic", 3333, 0, "bob", {opus()}};
  return {audio, video, gone};
}

SessionDescription roundTrip(const SessionDescription& sdp) {
  auto r = parse(serialize(sdp));
  EXPECT_TRUE(r.ok()) << serialize(sdp);
  return r.ok() ? *r : SessionDescription{};
}

TEST(SubscriberOffer, TwoActiveOneInactiveParsesBackWithStableMids) {
  SessionDescription offer = roundTrip(buildSubscriberOffer(threeTracks(), kLocal, 3));
  EXPECT_TRUE(offer.iceLite);
  EXPECT_EQ(offer.sessionVersion, 3u);
  ASSERT_EQ(offer.media.size(), 3u);
  EXPECT_EQ(offer.media[0].mid, "0");
  EXPECT_EQ(offer.media[1].mid, "1");
  EXPECT_EQ(offer.media[2].mid, "2");
  ASSERT_NE(offer.bundleGroup(), nullptr);
  EXPECT_EQ(offer.bundleGroup()->mids, (std::vector<std::string>{"0", "1"}));

  const MediaSection& audio = offer.media[0];
  EXPECT_EQ(audio.port, 9);
  EXPECT_EQ(audio.direction, Direction::kSendOnly);
  EXPECT_EQ(audio.setup, SetupRole::kActpass);
  EXPECT_TRUE(audio.rtcpMux);
  EXPECT_EQ(audio.iceUfrag, kLocal.iceUfrag);
  EXPECT_EQ(audio.candidates.size(), 1u);
  ASSERT_TRUE(audio.msid);
  EXPECT_EQ(audio.msid->first, "p_alice");
  EXPECT_EQ(audio.msid->second, "t_mic");
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_EQ(audio.ssrcs[0].cname, "alice");
  EXPECT_EQ(audio.ssrcs[0].msid, "p_alice t_mic");
  EXPECT_TRUE(audio.extensions.empty());
  EXPECT_TRUE(audio.codecs[0].rtcpFeedback.empty());

  const MediaSection& video = offer.media[1];
  EXPECT_EQ(video.formats, (std::vector<std::string>{"96", "97"}));
  EXPECT_EQ(video.codecs[0].rtcpFeedback,
            (std::vector<std::string>{"nack", "nack pli", "ccm fir"}));
  EXPECT_EQ(video.codecs[1].rtxFor, 96);
  ASSERT_EQ(video.ssrcGroups.size(), 1u);
  EXPECT_EQ(video.ssrcGroups[0], (SsrcGroup{"FID", {2222, 2223}}));
  EXPECT_EQ(video.ssrcs.size(), 2u);
  EXPECT_TRUE(video.extensions.empty());

  const MediaSection& gone = offer.media[2];
  EXPECT_EQ(gone.port, 0);
  EXPECT_EQ(gone.direction, Direction::kInactive);
  EXPECT_TRUE(gone.ssrcs.empty());
  EXPECT_FALSE(gone.msid);
  EXPECT_FALSE(gone.formats.empty());
}

TEST(SubscriberOffer, ReofferKeepsMlineOrder) {
  std::vector<OutgoingTrack> tracks = threeTracks();
  SessionDescription v1 = buildSubscriberOffer(tracks, kLocal, 1);
  tracks[0].active = false;  // alice's mic went away
  OutgoingTrack carol{"3", "audio", true, "p_carol", "t_mic", 4444, 0, "carol", {opus()}};
  tracks.push_back(carol);
  SessionDescription v2 = buildSubscriberOffer(tracks, kLocal, 2);
  ASSERT_EQ(v2.media.size(), 4u);
  for (size_t i = 0; i < v1.media.size(); ++i) {
    EXPECT_EQ(v2.media[i].mid, v1.media[i].mid);
    EXPECT_EQ(v2.media[i].kind, v1.media[i].kind);
  }
  // The stopped track of the BUNDLE-tagged first m-line stays bundled and inactive (so the
  // browser keeps its transport); any other stopped track is rejected with port 0.
  EXPECT_EQ(v2.media[0].port, 9);
  EXPECT_EQ(v2.media[0].direction, Direction::kInactive);
  EXPECT_FALSE(v2.media[0].msid.has_value());
  EXPECT_TRUE(v2.media[0].ssrcs.empty());
  EXPECT_EQ(v2.media[2].port, 0);
  EXPECT_EQ(v2.bundleGroup()->mids, (std::vector<std::string>{"0", "1", "3"}));
  EXPECT_EQ(v1.sessionId, v2.sessionId);  // same connection, same o= session id
}

TEST(SubscriberOffer, NoTracksGivesNoMedia) {
  SessionDescription sdp = buildSubscriberOffer({}, kLocal, 1);
  EXPECT_TRUE(sdp.media.empty());
  EXPECT_FALSE(hasActiveMedia(sdp));
  EXPECT_TRUE(parse(serialize(sdp)).ok());
  std::vector<OutgoingTrack> tracks = threeTracks();
  EXPECT_TRUE(hasActiveMedia(buildSubscriberOffer(tracks, kLocal, 1)));
  for (OutgoingTrack& t : tracks) {
    t.active = false;
  }
  EXPECT_FALSE(hasActiveMedia(buildSubscriberOffer(tracks, kLocal, 1)));
}

// What Chromium answers to a subscriber offer: setup:active, its own ICE credentials.
std::string chromeLikeAnswer(const std::string& setup) {
  return "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
         "a=group:BUNDLE 0 1\r\na=msid-semantic: WMS\r\n"
         "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
         "a=ice-ufrag:Ab1+\r\na=ice-pwd:0123456789abcdefghijkl\r\na=ice-options:trickle\r\n"
         "a=fingerprint:sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:"
         "16:17:18:19:1A:1B:1C:1D:1E:1F:20\r\na=setup:" + setup + "\r\na=mid:0\r\na=recvonly\r\n"
         "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
         "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
         "a=ice-ufrag:Ab1+\r\na=ice-pwd:0123456789abcdefghijkl\r\na=ice-options:trickle\r\n"
         "a=fingerprint:sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:"
         "16:17:18:19:1A:1B:1C:1D:1E:1F:20\r\na=setup:" + setup + "\r\na=mid:1\r\na=recvonly\r\n"
         "a=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\n"
         "a=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\na=rtpmap:97 rtx/90000\r\n"
         "a=fmtp:97 apt=96\r\n"
         "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=inactive\r\n"
         "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
}

TEST(SubscriberAnswer, ReadsCredentialsAndAcceptedMids) {
  auto answer = parse(chromeLikeAnswer("active"));
  ASSERT_TRUE(answer.ok());
  auto info = readSubscriberAnswer(*answer);
  ASSERT_TRUE(info.ok()) << toString(info.error());
  EXPECT_EQ(info->remoteIceUfrag, "Ab1+");
  EXPECT_EQ(info->remoteIcePwd, "0123456789abcdefghijkl");
  EXPECT_EQ(info->remoteFingerprint.algorithm, "sha-256");
  EXPECT_EQ(info->acceptedMids, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(info->rejectedMids, (std::vector<std::string>{"2"}));
}

TEST(SubscriberAnswer, PassiveAnswererIsAnError) {
  auto answer = parse(chromeLikeAnswer("passive"));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(readSubscriberAnswer(*answer).error(), SdpError::kUnsupportedSetup);
  answer = parse(chromeLikeAnswer("actpass"));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(readSubscriberAnswer(*answer).error(), SdpError::kUnsupportedSetup);
}

TEST(SubscriberAnswer, MissingTransportAttributesAreErrors) {
  auto answer = parse(chromeLikeAnswer("active"));
  ASSERT_TRUE(answer.ok());
  SessionDescription a = *answer;
  a.media[1].fingerprints.clear();
  EXPECT_EQ(readSubscriberAnswer(a).error(), SdpError::kMissingFingerprint);
  a = *answer;
  a.media[0].iceUfrag.clear();
  EXPECT_EQ(readSubscriberAnswer(a).error(), SdpError::kMissingIceCredentials);
  a = *answer;
  a.media[0].rtcpMux = false;
  EXPECT_EQ(readSubscriberAnswer(a).error(), SdpError::kMissingRtcpMux);
  a = *answer;
  a.groups.clear();
  EXPECT_EQ(readSubscriberAnswer(a).error(), SdpError::kMissingBundle);
  a = *answer;
  for (MediaSection& m : a.media) {
    m.port = 0;
  }
  EXPECT_EQ(readSubscriberAnswer(a).error(), SdpError::kNoAcceptedMedia);
}

}  // namespace
}  // namespace medrtc::sdp

namespace medrtc::sdp {
namespace {

// Chromium 156's real answers to our subscriber offers (tracks 0-3; in v2 track 2 left).
TEST(SubscriberAnswer, ChromiumAnswersAreAccepted) {
  auto first = parse(testing::loadFixture("chrome_subscriber_answer.sdp"));
  ASSERT_TRUE(first.ok());
  auto info = readSubscriberAnswer(*first);
  ASSERT_TRUE(info.ok()) << toString(info.error());
  EXPECT_EQ(info->acceptedMids, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(info->remoteIceUfrag, "ol1Y");

  auto second = parse(testing::loadFixture("chrome_subscriber_answer_v2.sdp"));
  ASSERT_TRUE(second.ok());
  info = readSubscriberAnswer(*second);
  ASSERT_TRUE(info.ok()) << toString(info.error());
  EXPECT_EQ(info->acceptedMids, (std::vector<std::string>{"0", "1", "3"}));
  EXPECT_EQ(info->rejectedMids, (std::vector<std::string>{"2"}));
}

}  // namespace
}  // namespace medrtc::sdp

namespace medrtc::sdp {
namespace {

// werift 0.25's real answer to a 4-track subscriber offer (what the interop tests will see).
TEST(SubscriberAnswer, WeriftAnswerIsAccepted) {
  auto answer = parse(testing::loadFixture("werift_subscriber_answer.sdp"));
  ASSERT_TRUE(answer.ok());
  auto info = readSubscriberAnswer(*answer);
  ASSERT_TRUE(info.ok()) << toString(info.error());
  EXPECT_EQ(info->acceptedMids, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(info->remoteIceUfrag, "ac48");
}

}  // namespace
}  // namespace medrtc::sdp

namespace medrtc::sdp {
namespace {

TEST(SubscriberOffer, CarriesThisHopsCongestionControlExtensions) {
  SessionDescription offer =
      roundTrip(buildSubscriberOffer(threeTracks(), kLocal, 1, SubscriberExtensions{5, 7}));
  for (size_t i = 0; i < 2; ++i) {
    const MediaSection& m = offer.media[i];
    ASSERT_EQ(m.extensions.size(), 2u) << m.mid;
    EXPECT_EQ(m.extensions[0].id, 5);
    EXPECT_EQ(m.extensions[0].uri, kExtAbsSendTime);
    EXPECT_EQ(m.extensions[1].id, 7);
    EXPECT_EQ(m.extensions[1].uri, kExtTransportWideCc);
    for (const Codec& c : m.codecs) {
      bool hasTransportCc =
          std::find(c.rtcpFeedback.begin(), c.rtcpFeedback.end(), "transport-cc") != c.rtcpFeedback.end();
      EXPECT_EQ(hasTransportCc, !c.rtxFor) << c.name;  // rtx carries no feedback of its own
    }
  }
}

TEST(SubscriberAnswer, ReadsTheExtensionIdsTheAnswerKept) {
  std::string text = chromeLikeAnswer("active");
  std::string extmaps = "a=extmap:2 " + std::string(kExtAbsSendTime) + "\r\na=extmap:3 " +
                        std::string(kExtTransportWideCc) + "\r\n";
  // Both bundled m-lines carry the same map, as Chromium writes it.
  for (std::string mid : {"a=mid:0\r\n", "a=mid:1\r\n"}) {
    auto at = text.find(mid);
    text.insert(at + mid.size(), extmaps);
  }
  auto answer = parse(text);
  ASSERT_TRUE(answer.ok());
  auto info = readSubscriberAnswer(*answer);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->absSendTimeId, 2);
  EXPECT_EQ(info->transportCcId, 3);

  auto without = readSubscriberAnswer(*parse(chromeLikeAnswer("active")));
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->transportCcId, 0);  // dropped in the answer: no rewriting, no estimator
  EXPECT_EQ(without->absSendTimeId, 0);
}

// werift keeps the extensions only on the kinds its configuration lists them for: here
// video (the second m-line) and not audio. The transport still has them.
TEST(SubscriberAnswer, ReadsExtensionIdsKeptOnALaterMLineOnly) {
  std::string text = chromeLikeAnswer("active");
  std::string mid = "a=mid:1\r\n";
  text.insert(text.find(mid) + mid.size(), "a=extmap:2 " + std::string(kExtAbsSendTime) + "\r\na=extmap:3 " +
                                                std::string(kExtTransportWideCc) + "\r\n");
  auto answer = parse(text);
  ASSERT_TRUE(answer.ok());
  ASSERT_TRUE(answer->media[0].extensions.empty()) << "the first m-line keeps none";
  auto info = readSubscriberAnswer(*answer);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->absSendTimeId, 2);
  EXPECT_EQ(info->transportCcId, 3);
}

}  // namespace
}  // namespace medrtc::sdp
