#include "client/local_description.hpp"

#include <gtest/gtest.h>

#include "sdp/parse.hpp"
#include "sdp/publish_answer.hpp"
#include "sdp/serialize.hpp"
#include "sdp/server_capabilities.hpp"
#include "sdp/subscriber_offer.hpp"

namespace medrtc::client {
namespace {

LocalIce clientIce() {
  return LocalIce{"abcd1234", "0123456789abcdefghijklmn",
                  "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
                  *SocketAddress::fromIp("127.0.0.1", 40000)};
}

sdp::LocalTransport serverTransport() {
  return sdp::LocalTransport{"srvufrag", "serverpassword0123456789",
                             "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00",
                             {"192.0.2.7"}, 50000};
}

std::string publishOffer() {
  PublishOfferParams p;
  p.audioSsrc = 1111;
  p.videoSsrc = 2222;
  p.cname = "cname1";
  p.streamId = "stream1";
  return sdp::serialize(buildPublishOffer(clientIce(), p));
}

TEST(LocalDescription, PublishOfferParsesAndServerAcceptsBothTracks) {
  auto offer = sdp::parse(publishOffer());
  ASSERT_TRUE(offer.ok()) << sdp::toString(offer.error().code) << " line " << offer.error().line;
  ASSERT_EQ(offer->media.size(), 2u);
  const auto& audio = offer->media[0];
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.direction, sdp::Direction::kSendOnly);
  EXPECT_EQ(audio.setup, sdp::SetupRole::kActpass);
  EXPECT_TRUE(audio.rtcpMux);
  EXPECT_TRUE(audio.rtcpRsize);
  ASSERT_EQ(audio.codecs.size(), 1u);
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].channels, 2u);
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_EQ(audio.ssrcs[0].cname, "cname1");
  EXPECT_EQ(extensionId(offer->media[1], sdp::kExtTransportWideCc), 3);
  ASSERT_NE(offer->bundleGroup(), nullptr);

  auto answer = sdp::answerPublishOffer(*offer, serverTransport(), sdp::ServerCapabilities::defaults());
  ASSERT_TRUE(answer.ok()) << sdp::toString(answer.error());
  ASSERT_EQ(answer->tracks.size(), 2u);
  EXPECT_EQ(answer->tracks[0].ssrcs, std::vector<uint32_t>{1111});
  EXPECT_EQ(answer->tracks[1].ssrcs, std::vector<uint32_t>{2222});
  EXPECT_EQ(answer->remoteIceUfrag, "abcd1234");

  // And the client reads the server's answer back.
  auto reparsed = sdp::parse(sdp::serialize(answer->answer));
  ASSERT_TRUE(reparsed.ok());
  auto remote = readRemoteTransport(*reparsed, false);
  ASSERT_TRUE(remote.ok()) << toString(remote.error());
  EXPECT_EQ(remote->iceUfrag, "srvufrag");
  EXPECT_EQ(remote->candidate, *SocketAddress::fromIp("192.0.2.7", 50000));
  EXPECT_EQ(remote->localDtlsRole, dtls::DtlsRole::kClient);  // server answered passive
  EXPECT_EQ(remote->fingerprintAlgorithm, "sha-256");
  PayloadTypeTable table{};
  addPayloadTypes(*reparsed, table);
  EXPECT_TRUE(table[111].opus);
  EXPECT_TRUE(table[96].vp8);
  EXPECT_EQ(table[96].clockRate, 90'000u);
}

TEST(LocalDescription, SimulcastPublishOfferIsAcceptedAsThreeLayers) {
  // `medrtc loadgen --simulcast`: a=rid q/h/f send, a=simulcast, the RID extension, no
  // a=ssrc for video; the server answers with three layers.
  PublishOfferParams p;
  p.audioSsrc = 1111;
  p.videoSsrc = 2222;
  p.cname = "cname1";
  p.streamId = "stream1";
  p.videoRids = {"q", "h", "f"};
  auto offer = sdp::parse(sdp::serialize(buildPublishOffer(clientIce(), p)));
  ASSERT_TRUE(offer.ok());
  const auto& video = offer->media[1];
  EXPECT_TRUE(video.ssrcs.empty());
  ASSERT_EQ(video.rids.size(), 3u);
  ASSERT_TRUE(video.simulcast);
  EXPECT_EQ(extensionId(video, sdp::kExtRtpStreamId), kRidExtensionId);
  EXPECT_EQ(offer->media[0].ssrcs.size(), 1u);  // audio keeps its a=ssrc

  sdp::ServerCapabilities caps = sdp::ServerCapabilities::defaults();
  caps.acceptSimulcast = true;
  auto answer = sdp::answerPublishOffer(*offer, serverTransport(), caps);
  ASSERT_TRUE(answer.ok()) << sdp::toString(answer.error());
  EXPECT_EQ(answer->tracks[1].rids, (std::vector<std::string>{"q", "h", "f"}));
  EXPECT_TRUE(answer->answer.media[1].simulcast);
  EXPECT_EQ(extensionId(answer->answer.media[1], sdp::kExtRtpStreamId), kRidExtensionId);
}

TEST(LocalDescription, SubscriberAnswerIsAcceptedByServer) {
  sdp::OutgoingTrack audio;
  audio.mid = "0";
  audio.kind = "audio";
  audio.participantId = "p1";
  audio.trackId = "t1";
  audio.ssrc = 5;
  audio.cname = "c";
  audio.codecs = {sdp::Codec{111, "opus", 48000, 2, "", {}, {}}};
  sdp::OutgoingTrack gone = audio;
  gone.mid = "1";
  gone.active = false;
  const auto offer = sdp::buildSubscriberOffer({audio, gone}, serverTransport(), 3);
  auto reparsedOffer = sdp::parse(sdp::serialize(offer));
  ASSERT_TRUE(reparsedOffer.ok());
  auto remote = readRemoteTransport(*reparsedOffer, true);
  ASSERT_TRUE(remote.ok());
  EXPECT_EQ(remote->localDtlsRole, dtls::DtlsRole::kClient);  // offer said actpass

  auto answerText = sdp::serialize(buildSubscriberAnswer(*reparsedOffer, clientIce(), "42", 1));
  auto answer = sdp::parse(answerText);
  ASSERT_TRUE(answer.ok()) << answerText;
  ASSERT_EQ(answer->media.size(), 2u);
  EXPECT_EQ(answer->media[0].direction, sdp::Direction::kRecvOnly);
  EXPECT_TRUE(answer->media[1].rejected());
  auto info = sdp::readSubscriberAnswer(*answer);
  ASSERT_TRUE(info.ok()) << sdp::toString(info.error());
  EXPECT_EQ(info->acceptedMids, std::vector<std::string>{"0"});
  EXPECT_EQ(info->rejectedMids, std::vector<std::string>{"1"});
  EXPECT_EQ(info->remoteIceUfrag, "abcd1234");
}

TEST(LocalDescription, AnswerThatKeepsActpassIsRefused) {
  auto offer = sdp::parse(publishOffer());
  ASSERT_TRUE(offer.ok());
  // An offer parsed as if it were the server's answer: setup:actpass cannot answer.
  auto remote = readRemoteTransport(*offer, false);
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.error(), ClientError::kUnsupportedSetup);
}

}  // namespace
}  // namespace medrtc::client
