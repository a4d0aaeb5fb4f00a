#include "sdp/publish_answer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixtures.hpp"
#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"

namespace medrtc::sdp {
namespace {

using testing::loadFixture;
using testing::offerFixtures;

const LocalTransport kLocal{"srvUfrag", "serverPasswordOf24Chars0",
                            "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
                            "88:99:AA:BB:CC:DD:EE:FF:00",
                            {"203.0.113.5"}, 40000};

SessionDescription offerFrom(const std::string& fixture) {
  auto r = parse(loadFixture(fixture));
  EXPECT_TRUE(r.ok()) << fixture;
  return r.ok() ? *r : SessionDescription{};
}

Result<PublishAnswer, SdpError> answer(const SessionDescription& offer) {
  return answerPublishOffer(offer, kLocal, ServerCapabilities::defaults());
}

std::vector<int> payloadTypes(const MediaSection& m) {
  std::vector<int> out;
  for (const Codec& c : m.codecs) {
    out.push_back(c.payloadType);
  }
  return out;
}

bool hasFeedback(const Codec& c, const std::string& fb) {
  return std::find(c.rtcpFeedback.begin(), c.rtcpFeedback.end(), fb) != c.rtcpFeedback.end();
}

TEST(PublishAnswer, EveryFixtureIsAnsweredAndTheAnswerParses) {
  for (const std::string& name : offerFixtures()) {
    SessionDescription offer = offerFrom(name);
    auto r = answer(offer);
    ASSERT_TRUE(r.ok()) << name << ": " << toString(r.error());
    ASSERT_EQ(r->answer.media.size(), offer.media.size()) << name;
    for (size_t i = 0; i < offer.media.size(); ++i) {
      EXPECT_EQ(r->answer.media[i].mid, offer.media[i].mid) << name;
      EXPECT_EQ(r->answer.media[i].kind, offer.media[i].kind) << name;
    }
    auto reparsed = parse(serialize(r->answer));
    ASSERT_TRUE(reparsed.ok()) << name;
    EXPECT_EQ(*reparsed, r->answer) << name;
  }
}

TEST(PublishAnswer, ChromeOfferKeepsOfferPayloadTypes) {
  auto r = answer(offerFrom("chrome_publish_offer.sdp"));
  ASSERT_TRUE(r.ok());
  const SessionDescription& a = r->answer;
  EXPECT_TRUE(a.iceLite);
  ASSERT_EQ(a.groups.size(), 1u);
  EXPECT_EQ(a.groups[0], (Group{"BUNDLE", {"0", "1"}}));
  EXPECT_TRUE(a.extmapAllowMixed);

  const MediaSection& audio = a.media[0];
  EXPECT_EQ(audio.port, 9);
  EXPECT_EQ(payloadTypes(audio), (std::vector<int>{111}));
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"111"}));
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1;usedtx=1");
  EXPECT_EQ(audio.codecs[0].rtcpFeedback, (std::vector<std::string>{"transport-cc"}));
  EXPECT_EQ(audio.direction, Direction::kRecvOnly);
  EXPECT_EQ(audio.setup, SetupRole::kPassive);
  EXPECT_TRUE(audio.rtcpMux);
  EXPECT_TRUE(audio.rtcpRsize);
  EXPECT_EQ(audio.iceUfrag, kLocal.iceUfrag);
  EXPECT_EQ(audio.icePwd, kLocal.icePwd);
  ASSERT_EQ(audio.fingerprints.size(), 1u);
  EXPECT_EQ(audio.fingerprints[0].algorithm, "sha-256");
  EXPECT_EQ(audio.fingerprints[0].value, kLocal.fingerprintSha256);
  ASSERT_EQ(audio.candidates.size(), 1u);
  EXPECT_EQ(audio.candidates[0].value, "1 1 udp 2130706431 203.0.113.5 40000 typ host");
  EXPECT_TRUE(audio.endOfCandidates);
  // Header extensions: only the four the server knows, with Chrome's ids.
  ASSERT_EQ(audio.extensions.size(), 4u);
  EXPECT_EQ(audio.extensions[0].id, 1);
  EXPECT_EQ(audio.extensions[0].uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");

  const MediaSection& video = a.media[1];
  EXPECT_EQ(payloadTypes(video), (std::vector<int>{96, 97}));  // VP8 first in Chrome's list
  EXPECT_EQ(video.codecs[1].rtxFor, 96);
  EXPECT_EQ(video.codecs[1].fmtp, "apt=96");
  const Codec& vp8 = video.codecs[0];
  EXPECT_TRUE(hasFeedback(vp8, "nack"));
  EXPECT_TRUE(hasFeedback(vp8, "nack pli"));
  EXPECT_TRUE(hasFeedback(vp8, "ccm fir"));
  EXPECT_TRUE(hasFeedback(vp8, "transport-cc"));
  EXPECT_FALSE(hasFeedback(vp8, "goog-remb"));
  std::vector<int> ids;
  for (const ExtMap& e : video.extensions) {
    ids.push_back(e.id);
  }
  EXPECT_EQ(ids, (std::vector<int>{2, 3, 4}));  // abs-send-time, transport-cc, mid

  ASSERT_EQ(r->tracks.size(), 2u);
  const PublishedTrack& vt = r->tracks[1];
  EXPECT_EQ(vt.mid, "1");
  EXPECT_EQ(vt.kind, "video");
  EXPECT_EQ(vt.codecs, video.codecs);
  EXPECT_EQ(vt.ssrcs, (std::vector<uint32_t>{1927924088u}));
  EXPECT_EQ(vt.rtxSsrc, 485099404u);
  EXPECT_EQ(vt.msidStream, "c238215c-e3ab-41c6-b05b-acef3f1d70c6");
  EXPECT_EQ(vt.msidTrack, "38ff0acb-0b30-4824-8f8d-5f16943ec64b");
  EXPECT_TRUE(vt.rids.empty());
  EXPECT_EQ(r->remoteIceUfrag, "MlPd");
  EXPECT_EQ(r->remoteIcePwd, "S76BVbgd44nvvHprPjhATeAh");
  EXPECT_EQ(r->remoteFingerprint.algorithm, "sha-256");
}

TEST(PublishAnswer, WeriftNonCanonicalPayloadTypesAreKept) {
  auto r = answer(offerFrom("werift_default_offer.sdp"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(payloadTypes(r->answer.media[0]), (std::vector<int>{96}));  // "OPUS" at 96
  EXPECT_EQ(r->answer.media[0].codecs[0].name, "OPUS");
  EXPECT_EQ(payloadTypes(r->answer.media[1]), (std::vector<int>{98}));  // VP8 at 98, no rtx
  EXPECT_TRUE(r->answer.media[0].extensions.empty());
  // werift offers no transport-cc extension, so no transport-cc feedback either.
  EXPECT_FALSE(hasFeedback(r->answer.media[1].codecs[0], "transport-cc"));
  EXPECT_EQ(r->tracks[0].ssrcs, (std::vector<uint32_t>{2530451782u}));
  EXPECT_FALSE(r->tracks[0].rtxSsrc);
}

TEST(PublishAnswer, SafariPrefersH264AndHighProfileIsSkipped) {
  auto r = answer(offerFrom("safari_offer.sdp"));
  ASSERT_TRUE(r.ok());
  // 96 is H264 High (640c1f): not baseline. 98 is constrained baseline: kept with its rtx 99.
  EXPECT_EQ(payloadTypes(r->answer.media[1]), (std::vector<int>{98, 99}));
  EXPECT_EQ(r->answer.media[1].codecs[0].fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
}

TEST(PublishAnswer, FirefoxSessionLevelFingerprintIsUsed) {
  auto r = answer(offerFrom("firefox_offer.sdp"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(payloadTypes(r->answer.media[0]), (std::vector<int>{109}));
  EXPECT_EQ(payloadTypes(r->answer.media[1]), (std::vector<int>{120, 124}));
  EXPECT_EQ(r->remoteFingerprint.value.substr(0, 5), "4E:1F");
  EXPECT_EQ(r->tracks[1].rtxSsrc, 3405871264u);
  EXPECT_EQ(r->tracks[1].ssrcs, (std::vector<uint32_t>{1758351027u}));
  // csrc-audio-level is /recvonly on Firefox's side and unknown to us anyway.
  ASSERT_EQ(r->answer.media[0].extensions.size(), 2u);
}

TEST(PublishAnswer, DataChannelIsRejectedWithPortZero) {
  auto r = answer(offerFrom("chrome_datachannel_offer.sdp"));
  ASSERT_TRUE(r.ok());
  const MediaSection& app = r->answer.media[2];
  EXPECT_EQ(app.port, 0);
  EXPECT_EQ(app.kind, "application");
  EXPECT_EQ(app.mid, "2");
  EXPECT_EQ(app.formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_EQ(r->answer.groups[0].mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(r->tracks.size(), 2u);
  EXPECT_NE(serialize(r->answer).find("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"),
            std::string::npos);
}

TEST(PublishAnswer, MLineWithoutCommonCodecIsRejected) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  // Keep only VP9 and AV1 in the video m-line.
  MediaSection& video = offer.media[1];
  std::vector<Codec> kept;
  for (const Codec& c : video.codecs) {
    if (c.name == "VP9" || c.name == "AV1") {
      kept.push_back(c);
    }
  }
  video.codecs = kept;
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->answer.media[1].port, 0);
  EXPECT_EQ(r->answer.media[1].mid, "1");
  EXPECT_EQ(r->answer.groups[0].mids, (std::vector<std::string>{"0"}));
  EXPECT_EQ(r->tracks.size(), 1u);
}

TEST(PublishAnswer, SimulcastIsAcceptedOnlyWhenEnabled) {
  SessionDescription offer = offerFrom("chrome_simulcast_offer.sdp");
  auto plain = answer(offer);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->answer.media[1].simulcast);
  EXPECT_TRUE(plain->tracks[1].rids.empty());

  ServerCapabilities caps = ServerCapabilities::defaults();
  caps.acceptSimulcast = true;
  auto r = answerPublishOffer(offer, kLocal, caps);
  ASSERT_TRUE(r.ok());
  const MediaSection& video = r->answer.media[1];
  ASSERT_TRUE(video.simulcast);
  EXPECT_EQ(video.simulcast->recv, (std::vector<std::vector<std::string>>{{"q"}, {"h"}, {"f"}}));
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0].direction, "recv");
  EXPECT_EQ(r->tracks[1].rids, (std::vector<std::string>{"q", "h", "f"}));
  bool hasRid = std::any_of(video.extensions.begin(), video.extensions.end(),
                            [](const ExtMap& e) { return e.uri == kExtRtpStreamId; });
  EXPECT_TRUE(hasRid);
}

TEST(PublishAnswer, SimulcastKeepsOnlyRidsBothDeclaredAndListed) {
  // Bad input (issue 12): the a=simulcast list names a RID with no a=rid line (x), an
  // a=rid line names one the list does not (zz), and one is declared recv (r). Only q, h
  // and f become layers, in the list's order, and the answer mirrors only those: a layer
  // for a RID the client never sends would wait for packets forever, and an answer naming
  // an undeclared RID is invalid (RFC 8853 §5.2).
  SessionDescription offer = offerFrom("chrome_simulcast_offer.sdp");
  MediaSection& offered = offer.media[1];
  offered.simulcast->send = {{"q"}, {"x"}, {"h"}, {"f"}};
  offered.rids.push_back(Rid{"zz", "send", {}});
  offered.rids.push_back(Rid{"r", "recv", {}});
  ServerCapabilities caps = ServerCapabilities::defaults();
  caps.acceptSimulcast = true;
  auto r = answerPublishOffer(offer, kLocal, caps);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tracks[1].rids, (std::vector<std::string>{"q", "h", "f"}));
  const MediaSection& video = r->answer.media[1];
  ASSERT_TRUE(video.simulcast);
  EXPECT_EQ(video.simulcast->recv, (std::vector<std::vector<std::string>>{{"q"}, {"h"}, {"f"}}));
  ASSERT_EQ(video.rids.size(), 3u);
  for (const Rid& rid : video.rids) {
    EXPECT_EQ(rid.direction, "recv");
    EXPECT_NE(rid.id, "x");
    EXPECT_NE(rid.id, "zz");
  }

  // No listed RID declared at all: no simulcast, one stream.
  offered.simulcast->send = {{"x"}, {"y"}};
  auto none = answerPublishOffer(offer, kLocal, caps);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->tracks[1].rids.empty());
  EXPECT_FALSE(none->answer.media[1].simulcast);
  EXPECT_TRUE(none->answer.media[1].rids.empty());
}

TEST(PublishAnswer, TheFuzzSeedWithUnknownRidsIsAnsweredWithTheDeclaredOnes) {
  // tests/fuzz/corpus/sdp/simulcast_unknown_rids_offer.sdp: "q;x;~h,zz;f" with a=rid lines
  // q, h, f, zz9 (send) and r (recv). The paused stream keeps its '~' in the answer.
  const char* src = std::getenv("MEDRTC_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  std::ifstream in(std::filesystem::path(src) / "tests/fuzz/corpus/sdp/simulcast_unknown_rids_offer.sdp",
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto offer = parse(text.str());
  ASSERT_TRUE(offer.ok());
  ServerCapabilities caps = ServerCapabilities::defaults();
  caps.acceptSimulcast = true;
  auto r = answerPublishOffer(*offer, kLocal, caps);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tracks[1].rids, (std::vector<std::string>{"q", "h", "f"}));
  ASSERT_TRUE(r->answer.media[1].simulcast);
  EXPECT_EQ(r->answer.media[1].simulcast->recv, (std::vector<std::vector<std::string>>{{"q"}, {"~h"}, {"f"}}));
  EXPECT_TRUE(parse(serialize(r->answer)).ok());
}

TEST(PublishAnswer, RejectsOfferWithoutFingerprint) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  for (MediaSection& m : offer.media) {
    m.fingerprints.clear();
  }
  EXPECT_EQ(answer(offer).error(), SdpError::kMissingFingerprint);
}

TEST(PublishAnswer, RejectsOfferWithoutIceCredentials) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  offer.media[0].iceUfrag.clear();
  EXPECT_EQ(answer(offer).error(), SdpError::kMissingIceCredentials);
  offer = offerFrom("chrome_publish_offer.sdp");
  offer.media[1].icePwd.clear();
  EXPECT_EQ(answer(offer).error(), SdpError::kMissingIceCredentials);
}

TEST(PublishAnswer, RejectsOfferWithoutRtcpMux) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  offer.media[1].rtcpMux = false;
  EXPECT_EQ(answer(offer).error(), SdpError::kMissingRtcpMux);
}

TEST(PublishAnswer, RejectsPassiveOfferer) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  offer.media[0].setup = SetupRole::kPassive;
  EXPECT_EQ(answer(offer).error(), SdpError::kUnsupportedSetup);
}

TEST(PublishAnswer, RejectsBundledSectionsWithDifferentCredentials) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  offer.media[1].iceUfrag = "othr";
  EXPECT_EQ(answer(offer).error(), SdpError::kInconsistentTransport);
}

TEST(PublishAnswer, SeveralMediaWithoutBundleIsAnError) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  offer.groups.clear();
  EXPECT_EQ(answer(offer).error(), SdpError::kMissingBundle);
}

TEST(PublishAnswer, SectionOutsideTheBundleGroupIsRejected) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  offer.groups[0].mids = {"0"};
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->answer.media[1].port, 0);
}

TEST(PublishAnswer, NothingAcceptableIsAnError) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  offer.media.resize(1);
  offer.media[0].codecs.resize(0);
  EXPECT_EQ(answer(offer).error(), SdpError::kNoAcceptedMedia);
}

TEST(PublishAnswer, RecvonlyOfferSectionBecomesInactiveWithoutTrack) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  offer.media[1].direction = Direction::kRecvOnly;
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->answer.media[1].direction, Direction::kInactive);
  EXPECT_EQ(r->answer.media[1].port, 9);
  ASSERT_EQ(r->tracks.size(), 1u);
  EXPECT_EQ(r->tracks[0].kind, "audio");
}

TEST(PublishAnswer, H264PacketizationModeZeroIsNotAccepted) {
  SessionDescription offer = offerFrom("chrome_publish_offer.sdp");
  MediaSection& video = offer.media[1];
  std::vector<Codec> kept;
  for (const Codec& c : video.codecs) {
    if (c.payloadType == 104 || c.payloadType == 107 || c.payloadType == 108 ||
        c.payloadType == 109) {
      kept.push_back(c);  // 104: 42001f mode 0 (+rtx 107), 108: 42e01f mode 1 (+rtx 109)
    }
  }
  video.codecs = kept;
  auto r = answer(offer);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(payloadTypes(r->answer.media[1]), (std::vector<int>{108, 109}));
}

}  // namespace
}  // namespace medrtc::sdp
