// The control side's SDP work (sfu/negotiation.hpp): browsers' offers become the typed
// parameters the workers take, subscriber answers become SubscribeAnswers, and typed
// subscribe offers become SDP.
#include "sfu/negotiation.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sdp/fixtures.hpp"
#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"
#include "sfu/subscriber_capabilities.hpp"

namespace medrtc::sfu::test {
namespace {

using sdp::testing::loadFixture;

LocalTransportParameters local() {
  LocalTransportParameters l;
  l.iceUfrag = "srvufrag";
  l.icePwd = "serverpasswordserverpassword";
  l.fingerprintSha256 = "AA:BB:CC";
  l.candidateIps = {"192.0.2.1"};
  l.candidatePort = 40000;
  return l;
}

const PublishedTrackParameters* trackOfKind(const PublishParameters& p, const std::string& kind) {
  for (const auto& t : p.tracks) {
    if (t.kind == kind) {
      return &t;
    }
  }
  return nullptr;
}

int forwardedTo(const PublishedTrackParameters& t, int from) {
  for (const auto& m : t.forwardedPayloadTypes) {
    if (m.from == from) {
      return m.to;
    }
  }
  return -1;
}

// An offer whose video m-line keeps only what `keep` accepts (and the rtx of it).
std::string videoOnly(const std::string& fixture, const std::function<bool(const sdp::Codec&)>& keep) {
  auto offer = sdp::parse(loadFixture(fixture));
  EXPECT_TRUE(offer.ok());
  for (auto& m : offer->media) {
    if (m.kind != "video") {
      continue;
    }
    std::vector<sdp::Codec> kept;
    for (const sdp::Codec& c : m.codecs) {
      if (!c.rtxFor && keep(c)) {
        kept.push_back(c);
      }
    }
    for (const sdp::Codec& c : m.codecs) {
      if (c.rtxFor && std::any_of(kept.begin(), kept.end(), [&](const sdp::Codec& k) {
            return !k.rtxFor && k.payloadType == *c.rtxFor;
          })) {
        kept.push_back(c);
      }
    }
    m.codecs = kept;
    m.formats.clear();
    for (const sdp::Codec& c : kept) {
      m.formats.push_back(std::to_string(c.payloadType));
    }
  }
  return sdp::serialize(*offer);
}

TEST(Negotiation, ChromiumSimulcastOfferBecomesTypedParameters) {
  auto r = negotiatePublish(loadFixture("chrome_simulcast_offer.sdp"), local());
  ASSERT_TRUE(r.ok());
  const PublishParameters& p = r->parameters;
  EXPECT_EQ(p.remoteFingerprint.algorithm, "sha-256");
  EXPECT_EQ(p.remoteFingerprint.value.substr(0, 5), "5E:3F");
  ASSERT_EQ(p.tracks.size(), 2u);

  const auto* audio = trackOfKind(p, "audio");
  ASSERT_NE(audio, nullptr);
  EXPECT_EQ(audio->mid, "0");
  ASSERT_FALSE(audio->codecs.empty());
  EXPECT_EQ(audio->codecs[0].name, "opus");
  EXPECT_EQ(audio->codecs[0].payloadType, 111);
  EXPECT_EQ(forwardedTo(*audio, 111), 111);
  EXPECT_EQ(audio->extensions.audioLevel, 1);
  EXPECT_EQ(audio->extensions.mid, 4);
  EXPECT_EQ(audio->extensions.transportCc, 3);

  const auto* video = trackOfKind(p, "video");
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->mid, "1");
  // VP8 at Chromium's 96 with its rtx 97 paired to it (RFC 4588 apt).
  ASSERT_EQ(video->codecs.size(), 2u);
  EXPECT_EQ(video->codecs[0].name, "VP8");
  EXPECT_EQ(video->codecs[1].name, "rtx");
  EXPECT_EQ(video->codecs[1].rtxFor, 96);
  EXPECT_EQ(forwardedTo(*video, 96), 96);
  EXPECT_EQ(forwardedTo(*video, 97), 97);
  ASSERT_EQ(video->forwardedCodecs.size(), 2u);
  EXPECT_EQ(video->forwardedCodecs[0].name, "VP8");
  EXPECT_EQ(video->forwardedCodecs[1].rtxFor, 96);
  // One encoding per RID, lowest first, SSRCs bound by the worker from the RID extension.
  ASSERT_EQ(video->encodings.size(), 3u);
  EXPECT_EQ(video->encodings[0].rid, "q");
  EXPECT_EQ(video->encodings[2].rid, "f");
  EXPECT_EQ(video->encodings[0].ssrc, 0u);
  EXPECT_EQ(video->extensions.rid, 10);
  EXPECT_EQ(video->extensions.repairedRid, 11);
  EXPECT_EQ(video->extensions.audioLevel, 0);

  EXPECT_NE(r->answerSdp.find("a=simulcast:recv q;h;f"), std::string::npos);
  EXPECT_NE(r->answerSdp.find("a=ice-ufrag:srvufrag"), std::string::npos);
  EXPECT_NE(r->answerSdp.find("a=fingerprint:sha-256 AA:BB:CC"), std::string::npos);
}

TEST(Negotiation, FirefoxOfferKeepsItsPayloadTypesAndMapsThemToTheServers) {
  auto r = negotiatePublish(loadFixture("firefox_offer.sdp"), local());
  ASSERT_TRUE(r.ok());
  const auto* video = trackOfKind(r->parameters, "video");
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->codecs[0].payloadType, 120);
  EXPECT_EQ(forwardedTo(*video, 120), 96);  // VP8 goes out under the server's 96
  EXPECT_EQ(forwardedTo(*video, 124), 97);  // and its rtx under 97
  ASSERT_EQ(video->encodings.size(), 1u);
  EXPECT_EQ(video->encodings[0].ssrc, 1758351027u);
  EXPECT_EQ(video->encodings[0].rtxSsrc, 3405871264u);
  EXPECT_TRUE(video->encodings[0].rid.empty());
  EXPECT_EQ(video->extensions.mid, 3);
  EXPECT_EQ(video->extensions.transportCc, 7);
  const auto* audio = trackOfKind(r->parameters, "audio");
  ASSERT_NE(audio, nullptr);
  EXPECT_EQ(forwardedTo(*audio, 109), 111);
  EXPECT_EQ(r->parameters.remoteFingerprint.value.substr(0, 5), "4E:1F");
}

TEST(Negotiation, AnH264OnlyOfferIsForwardedAsH264) {
  auto r = negotiatePublish(
      videoOnly("chrome_publish_offer.sdp",
                [](const sdp::Codec& c) { return c.name == "H264" && c.fmtp.find("packetization-mode=1") != std::string::npos; }),
      local());
  ASSERT_TRUE(r.ok());
  const auto* video = trackOfKind(r->parameters, "video");
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->codecs[0].name, "H264");
  ASSERT_FALSE(video->forwardedCodecs.empty());
  EXPECT_EQ(video->forwardedCodecs[0].name, "H264");
  EXPECT_EQ(video->forwardedCodecs[0].payloadType, 102);
  EXPECT_EQ(forwardedTo(*video, video->codecs[0].payloadType), 102);
}

TEST(Negotiation, Vp8IsPreferredWhenTheOfferPutsH264First) {
  // Safari lists H.264 first; the SFU asks for VP8 so that every subscriber can decode it.
  auto r = negotiatePublish(loadFixture("safari_offer.sdp"), local());
  ASSERT_TRUE(r.ok());
  const auto* video = trackOfKind(r->parameters, "video");
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->codecs[0].name, "VP8");
  EXPECT_EQ(video->codecs[0].payloadType, 100);
  EXPECT_EQ(forwardedTo(*video, 100), 96);
  EXPECT_NE(r->answerSdp.find("a=rtpmap:100 VP8/90000"), std::string::npos);
  EXPECT_EQ(r->answerSdp.find("H264"), std::string::npos);
}

TEST(Negotiation, UnparsableOrUnnegotiableOffersAreSdpInvalid) {
  EXPECT_EQ(negotiatePublish("not sdp", local()).error(), MediaError::kSdpInvalid);
  auto noCodec = videoOnly("chrome_publish_offer.sdp", [](const sdp::Codec& c) { return c.name == "AV1"; });
  auto r = negotiatePublish(noCodec, local());
  ASSERT_TRUE(r.ok());  // audio is still accepted
  EXPECT_EQ(trackOfKind(r->parameters, "video"), nullptr);
}

TEST(Negotiation, SubscriberAnswerIsReadIntoTypedFields) {
  auto a = readSubscribeAnswer(loadFixture("chrome_subscriber_answer_v2.sdp"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->acceptedMids, (std::vector<std::string>{"0", "1", "3"}));
  EXPECT_EQ(a->rejectedMids, (std::vector<std::string>{"2"}));
  EXPECT_EQ(a->remoteFingerprint.value.substr(0, 5), "99:86");
  EXPECT_EQ(readSubscribeAnswer("v=0\r\n").error(), MediaError::kSdpInvalid);
}

TEST(Negotiation, TypedSubscribeOfferIsWrittenAsSdp) {
  SubscribeOffer offer;
  offer.version = 3;
  offer.local = local();
  SubscribedTrack video;
  video.mid = "0";
  video.kind = "video";
  video.participantId = "alice-id";
  video.trackId = "cam";
  video.ssrc = 1111;
  video.rtxSsrc = 2222;
  video.codecs = {RtpCodec{96, "VP8", 90000, 0, "", {"nack", "nack pli"}, std::nullopt},
                  RtpCodec{97, "rtx", 90000, 0, "apt=96", {}, 96}};
  SubscribedTrack gone = video;
  gone.mid = "1";
  gone.active = false;
  offer.tracks = {video, gone};
  auto parsed = sdp::parse(writeSubscribeOffer(offer));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->media.size(), 2u);
  EXPECT_EQ(parsed->sessionVersion, 3u);
  const auto& m = parsed->media[0];
  EXPECT_EQ(m.mid, "0");
  ASSERT_EQ(m.codecs.size(), 2u);
  EXPECT_EQ(m.codecs[0].name, "VP8");
  EXPECT_EQ(m.codecs[1].rtxFor, 96);
  ASSERT_EQ(m.ssrcGroups.size(), 1u);
  EXPECT_EQ(m.ssrcGroups[0].ssrcs, (std::vector<uint32_t>{1111, 2222}));
  EXPECT_EQ(m.iceUfrag, "srvufrag");
  EXPECT_TRUE(parsed->media[1].rejected());
}

TEST(SubscriberCapabilities, ARefusedCodecIsRefusedByNameFromThenOn) {
  SubscriberCapabilities caps;
  RtpCodec h264{102, "H264", 90000, 0, "packetization-mode=1", {}, std::nullopt};
  RtpCodec vp8{96, "VP8", 90000, 0, "", {}, std::nullopt};
  EXPECT_TRUE(caps.canReceive("video", h264));
  caps.refuse("3", "video", h264);
  h264.name = "h264";
  EXPECT_FALSE(caps.canReceive("video", h264));
  EXPECT_TRUE(caps.canReceive("video", vp8));
  EXPECT_TRUE(caps.refusedMid("3"));
  EXPECT_FALSE(caps.refusedMid("0"));
}

}  // namespace
}  // namespace medrtc::sfu::test
