// A synthetic client against an in-test ICE-lite/DTLS-server/SRTP peer over loopback.
#include "client/peer_connection.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "client/loop_script.hpp"
#include "client/synthetic_media.hpp"
#include "lite_server.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_reports.hpp"
#include "rtp/rtcp_writer.hpp"
#include "rtp/rtp_packet_builder.hpp"
#include "rtp/vp8.hpp"
#include "sdp/server_capabilities.hpp"

namespace medrtc::client {
namespace {

using namespace std::chrono_literals;
using test::LiteServer;

struct RecordingListener : PeerConnection::Listener {
  std::optional<PeerConnection::ConnectedInfo> connected;
  std::optional<std::string> failure;
  std::vector<PeerConnection::ReceivedRtp> received;
  size_t rtcpPackets = 0;

  void onConnected(PeerConnection&, const PeerConnection::ConnectedInfo& info) override { connected = info; }
  void onRtp(PeerConnection&, const rtp::RtpPacketView&, const PeerConnection::ReceivedRtp& info) override {
    received.push_back(info);
  }
  void onRtcp(PeerConnection&, ByteView, Micros) override { ++rtcpPackets; }
  void onFailed(PeerConnection&, const std::string& reason) override { failure = reason; }
};

std::shared_ptr<const ClientIdentity> sharedIdentity() {
  static auto identity = ClientIdentity::generate();
  return identity;
}

std::unique_ptr<PeerConnection> makePeer(net::EventLoop& loop, PeerConnection::Listener* listener,
                                         PeerConnectionConfig config = {}) {
  config.identity = sharedIdentity();
  auto pc = PeerConnection::create(loop, std::move(config), listener);
  EXPECT_TRUE(pc.ok());
  return std::move(*pc);
}

std::vector<rtp::RtpPacketView> parsedRtp(std::vector<LiteServer::Received>& received) {
  std::vector<rtp::RtpPacketView> out;
  for (auto& r : received) {
    auto view = rtp::RtpPacketView::parse(MutableByteView(r.bytes));
    EXPECT_TRUE(view.ok());
    if (view.ok()) {
      out.push_back(*view);
    }
  }
  return out;
}

TEST(PeerConnection, PublisherConnectsAndSendsDecryptableVp8AndOpus) {
  net::EventLoop loop;
  LiteServer server(loop);
  RecordingListener events;
  auto pc = makePeer(loop, &events);

  const std::string answer = server.answerPublish(pc->createPublishOffer());
  ASSERT_FALSE(answer.empty());
  ASSERT_TRUE(pc->applyAnswer(answer).ok());

  Micros keyframeSentAt{0};
  Micros deltaSentAt{0};
  size_t expectedPackets = 0;
  auto result = runScript(loop,
                          {
                              {"connect", [&] { return pc->connected() && server.connected(); },
                               [&] {
                                 keyframeSentAt = loop.now();
                                 expectedPackets += pc->sendVideoFrame(keyframeSentAt, true, 5000);
                                 expectedPackets += pc->sendAudioFrame(keyframeSentAt);
                                 deltaSentAt = keyframeSentAt + 33ms;
                                 expectedPackets += pc->sendVideoFrame(deltaSentAt, false, 2500);
                                 expectedPackets += pc->sendAudioFrame(keyframeSentAt + 20ms);
                               }},
                              {"media arrives", [&] { return server.rtp.size() >= expectedPackets; }, nullptr},
                          },
                          5s);
  ASSERT_TRUE(result.completed) << "stuck at " << result.stuckAt << " failure=" << events.failure.value_or("");
  ASSERT_TRUE(events.connected);
  EXPECT_GE(events.connected->iceSucceededAt, events.connected->startedAt);
  EXPECT_GE(events.connected->dtlsConnectedAt, events.connected->iceSucceededAt);
  EXPECT_TRUE(server.nominated);
  EXPECT_EQ(server.unprotectFailures, 0u);

  const auto& tracks = server.publishAnswer->tracks;
  ASSERT_EQ(tracks.size(), 2u);
  const uint8_t midId = 1;
  const uint8_t tccId = 3;

  auto packets = parsedRtp(server.rtp);
  ASSERT_EQ(packets.size(), expectedPackets);
  size_t keyframes = 0;
  size_t videoPackets = 0;
  size_t audioPackets = 0;
  size_t markers = 0;
  std::optional<uint16_t> lastTcc;
  for (const auto& p : packets) {
    auto tcc = p.transportSequenceNumber(tccId);
    ASSERT_TRUE(tcc.has_value());
    if (lastTcc) {
      EXPECT_EQ(*tcc, static_cast<uint16_t>(*lastTcc + 1));
    }
    lastTcc = tcc;
    if (p.ssrc() == pc->videoSsrc()) {
      ++videoPackets;
      EXPECT_EQ(p.payloadType(), 96);
      EXPECT_EQ(p.mid(midId), "1");
      EXPECT_LE(p.payload().size(), 1100u);
      keyframes += rtp::isVp8Keyframe(p.payload()) ? 1 : 0;
      markers += p.marker() ? 1 : 0;
      auto sendTime = readVp8SendTime(p.payload());
      ASSERT_TRUE(sendTime.has_value());
      // Frames go out in order: the first ones carry the keyframe's time.
      EXPECT_TRUE(*sendTime == keyframeSentAt || *sendTime == deltaSentAt);
    } else {
      ASSERT_EQ(p.ssrc(), pc->audioSsrc());
      ++audioPackets;
      EXPECT_EQ(p.payloadType(), 111);
      EXPECT_EQ(p.mid(midId), "0");
      EXPECT_TRUE(readOpusSendTime(p.payload()).has_value());
    }
  }
  EXPECT_EQ(keyframes, 1u);
  EXPECT_EQ(markers, 2u);
  EXPECT_EQ(audioPackets, 2u);
  EXPECT_EQ(videoPackets, expectedPackets - 2);
  EXPECT_GE(videoPackets, 5u + 3u);  // 5000 and 2500 bytes in ≤ 1,100-byte packets
}

TEST(PeerConnection, PublisherAnswersPliWithKeyframeAndNackWithRetransmission) {
  net::EventLoop loop;
  LiteServer server(loop);
  auto pc = makePeer(loop, nullptr);
  ASSERT_TRUE(pc->applyAnswer(server.answerPublish(pc->createPublishOffer())).ok());

  // The network loses the fifth video packet; the server NACKs it and sends a PLI.
  server.dropIncomingRtp = [](size_t index) { return index == 4; };
  size_t packetsBeforeNack = 0;
  auto result = runScript(loop,
                          {
                              {"connect", [&] { return pc->connected() && server.connected(); },
                               [&] {
                                 pc->sendVideoFrame(loop.now(), false, 3000);  // first frame: forced keyframe
                                 pc->sendVideoFrame(loop.now(), false, 3000);
                               }},
                              {"frames arrive", [&] { return server.rtp.size() >= 5; },
                               [&] {
                                 auto packets = parsedRtp(server.rtp);
                                 // Packets 0..3 arrived; the one after packets[3] was lost.
                                 const uint16_t lost[] = {static_cast<uint16_t>(packets[3].sequenceNumber() + 1)};
                                 packetsBeforeNack = server.rtp.size();
                                 std::array<uint8_t, 100> buffer;
                                 size_t n = rtp::writeReceiverReport(buffer, 1234, {});
                                 n += rtp::writePli(MutableByteView(buffer).subspan(n), 1234, pc->videoSsrc());
                                 n += rtp::writeGenericNack(MutableByteView(buffer).subspan(n), 1234, pc->videoSsrc(),
                                                            lost);
                                 server.sendRtcp(ByteView(buffer.data(), n));
                               }},
                              {"retransmission", [&] { return server.rtp.size() > packetsBeforeNack; },
                               [&] { pc->sendVideoFrame(loop.now(), false, 3000); }},
                              {"next frame", [&] { return server.rtp.size() >= packetsBeforeNack + 4; }, nullptr},
                          },
                          5s);
  ASSERT_TRUE(result.completed) << "stuck at " << result.stuckAt;
  EXPECT_EQ(server.unprotectFailures, 0u);
  auto packets = parsedRtp(server.rtp);
  EXPECT_TRUE(rtp::isVp8Keyframe(packets[0].payload()));
  EXPECT_FALSE(rtp::isVp8Keyframe(packets[3].payload()));
  // The retransmission: same SSRC and the lost sequence number, a transport-wide sequence
  // number newer than any sent before.
  const auto& resent = packets[packetsBeforeNack];
  EXPECT_EQ(resent.ssrc(), pc->videoSsrc());
  EXPECT_EQ(resent.sequenceNumber(), static_cast<uint16_t>(packets[3].sequenceNumber() + 1));
  EXPECT_EQ(*resent.transportSequenceNumber(3), static_cast<uint16_t>(*packets[packetsBeforeNack - 1].transportSequenceNumber(3) + 1));
  // The PLI made the next frame a keyframe.
  EXPECT_TRUE(rtp::isVp8Keyframe(packets[packetsBeforeNack + 1].payload()));
  EXPECT_EQ(pc->sender()->stats().plisReceived, 1u);
  EXPECT_EQ(pc->sender()->stats().nackedPackets, 1u);
  EXPECT_EQ(pc->sender()->stats().video.retransmitted, 1u);
}

TEST(PeerConnection, PublisherSendsSenderReportsWithCname) {
  net::EventLoop loop;
  LiteServer server(loop);
  PeerConnectionConfig config;
  config.rtcpInterval = 20ms;
  config.cname = "synthetic-cname";
  auto pc = makePeer(loop, nullptr, config);
  ASSERT_TRUE(pc->applyAnswer(server.answerPublish(pc->createPublishOffer())).ok());
  std::optional<uint32_t> reportedPackets;
  std::string cname;
  auto result = runScript(loop,
                          {
                              {"connect", [&] { return pc->connected() && server.connected(); },
                               [&] { pc->sendVideoFrame(loop.now(), true, 3000); }},
                              {"sender report",
                               [&] {
                                 for (auto& r : server.rtcp) {
                                   auto compound = rtp::RtcpCompoundView::parse(r.bytes);
                                   EXPECT_TRUE(compound.ok());
                                   for (auto p : *compound) {
                                     if (auto sr = rtp::SenderReportView::parse(p); sr && sr->senderSsrc() == pc->videoSsrc()) {
                                       reportedPackets = sr->packetCount();
                                     }
                                     if (auto sdes = rtp::SdesView::parse(p)) {
                                       sdes->forEachItem([&](uint32_t, uint8_t type, std::string_view text) {
                                         if (type == rtp::SdesView::kCname) {
                                           cname = std::string(text);
                                         }
                                       });
                                     }
                                   }
                                 }
                                 return reportedPackets.has_value();
                               },
                               nullptr},
                          },
                          5s);
  ASSERT_TRUE(result.completed) << "stuck at " << result.stuckAt;
  EXPECT_EQ(*reportedPackets, 3u);
  EXPECT_EQ(cname, "synthetic-cname");
}

TEST(PeerConnection, SubscriberAnswersOfferReceivesMediaAndReports) {
  net::EventLoop loop;
  LiteServer server(loop);
  RecordingListener events;
  PeerConnectionConfig config;
  config.rtcpInterval = 50ms;
  auto pc = makePeer(loop, &events, config);

  const auto& codecs = sdp::serverCodecs();
  sdp::OutgoingTrack video;
  video.mid = "0";
  video.kind = "video";
  video.participantId = "alice";
  video.trackId = "alice-video";
  video.ssrc = 0x11111111;
  video.cname = "alice";
  for (const auto& c : codecs) {
    if (c.name == "VP8") {
      video.codecs.push_back(sdp::Codec{c.payloadType, c.name, c.clockRate, c.channels, c.fmtp, c.rtcpFeedback, {}});
    }
  }
  auto answer = pc->answerOffer(server.offerSubscribe({video}, 1));
  ASSERT_TRUE(answer.ok()) << toString(answer.error());
  server.readSubscribeAnswer(*answer);
  ASSERT_EQ(server.subscriberAnswer->acceptedMids, std::vector<std::string>{"0"});

  // The "SFU" forwards a synthetic publisher's frames: a delta frame first (the client
  // should ask for a keyframe), then a keyframe, with one packet held back (a loss).
  auto sendFrame = [&](bool keyframe, uint16_t& seq, Micros sendTime, bool dropSecond) {
    Vp8FramePacketizer::Frame f;
    f.keyframe = keyframe;
    f.sendTime = sendTime;
    f.frameBytes = 3000;
    Vp8FramePacketizer packetizer(f, 1100);
    std::array<uint8_t, 1200> payload;
    std::array<uint8_t, 1300> packet;
    for (size_t i = 0; i < packetizer.packetCount(); ++i) {
      const size_t n = packetizer.write(i, payload);
      rtp::RtpPacketBuilder b;
      b.payloadType(96).ssrc(video.ssrc).sequenceNumber(seq++).timestamp(1000).marker(i + 1 == packetizer.packetCount());
      auto size = b.write(packet, ByteView(payload.data(), n));
      if (dropSecond && i == 1) {
        continue;
      }
      server.sendRtp(ByteView(packet.data(), *size));
    }
  };
  uint16_t seq = 100;
  Micros sentAt{0};
  auto result = runScript(loop,
                          {
                              {"connect", [&] { return pc->connected() && server.connected(); },
                               [&] { sendFrame(false, seq, loop.now(), false); }},
                              {"pli", [&] {
                                 for (auto& r : server.rtcp) {
                                   auto compound = rtp::RtcpCompoundView::parse(r.bytes);
                                   for (auto p : *compound) {
                                     if (p.kind() == rtp::RtcpKind::kPli) {
                                       return true;
                                     }
                                   }
                                 }
                                 return false;
                               },
                               [&] {
                                 sentAt = loop.now();
                                 sendFrame(true, seq, sentAt, true);
                               }},
                              {"keyframe arrives",
                               [&] {
                                 auto* s = pc->receiveStats().find(video.ssrc);
                                 return s != nullptr && s->keyframes == 1 && s->packets >= 5;
                               },
                               nullptr},
                              {"receiver report", [&] {
                                 for (auto& r : server.rtcp) {
                                   auto compound = rtp::RtcpCompoundView::parse(r.bytes);
                                   for (auto p : *compound) {
                                     if (p.kind() == rtp::RtcpKind::kReceiverReport && p.countOrFormat() == 1) {
                                       return true;
                                     }
                                   }
                                 }
                                 return false;
                               },
                               nullptr},
                          },
                          5s);
  ASSERT_TRUE(result.completed) << "stuck at " << result.stuckAt << " failure=" << events.failure.value_or("");
  const StreamStats* s = pc->receiveStats().find(video.ssrc);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->kind, MediaKind::kVideo);
  EXPECT_EQ(s->packets, 5u);
  EXPECT_EQ(s->lost(), 1);
  EXPECT_EQ(s->latency.count(), 5u);
  EXPECT_GE(s->latency.min(), Micros(0));
  EXPECT_LT(s->latency.max(), Micros(1'000'000));
  ASSERT_FALSE(events.received.empty());
  EXPECT_TRUE(events.received.back().sendTime.has_value());
  EXPECT_EQ(*events.received.back().sendTime, sentAt);
}

TEST(PeerConnection, SubscriberKeepsTransportOnReoffer) {
  net::EventLoop loop;
  LiteServer server(loop);
  auto pc = makePeer(loop, nullptr);
  sdp::OutgoingTrack audio;
  audio.mid = "0";
  audio.kind = "audio";
  audio.participantId = "bob";
  audio.trackId = "bob-audio";
  audio.ssrc = 0x22222222;
  audio.cname = "bob";
  audio.codecs.push_back(sdp::Codec{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}, {}});
  auto first = pc->answerOffer(server.offerSubscribe({audio}, 1));
  ASSERT_TRUE(first.ok());
  server.readSubscribeAnswer(*first);
  auto result = runScript(loop,
                          {
                              {"connect", [&] { return pc->connected() && server.connected(); },
                               [&] {
                                 sdp::OutgoingTrack video = audio;
                                 video.mid = "1";
                                 video.kind = "video";
                                 video.ssrc = 0x33333333;
                                 video.codecs = {sdp::Codec{96, "VP8", 90000, 0, "", {"nack", "nack pli"}, {}}};
                                 auto second = pc->answerOffer(server.offerSubscribe({audio, video}, 2));
                                 ASSERT_TRUE(second.ok());
                                 auto parsed = sdp::parse(*second);
                                 ASSERT_TRUE(parsed.ok());
                                 auto info = sdp::readSubscriberAnswer(*parsed);
                                 ASSERT_TRUE(info.ok());
                                 EXPECT_EQ(info->acceptedMids, (std::vector<std::string>{"0", "1"}));
                                 EXPECT_EQ(info->remoteIceUfrag, server.subscriberAnswer->remoteIceUfrag);
                               }},
                          },
                          5s);
  ASSERT_TRUE(result.completed) << "stuck at " << result.stuckAt;
  EXPECT_TRUE(pc->connected());
}

TEST(PeerConnection, WrongServerFingerprintFailsDtls) {
  net::EventLoop loop;
  LiteServer server(loop);
  RecordingListener events;
  auto pc = makePeer(loop, &events);
  std::string answer = server.answerPublish(pc->createPublishOffer());
  // Claim another certificate's fingerprint: RFC 8122 §5 says the handshake must fail.
  const std::string real = server.local().fingerprintSha256;
  const std::string other = dtls::Certificate::generate()->fingerprintSha256();
  answer.replace(answer.find(real), real.size(), other);
  ASSERT_TRUE(pc->applyAnswer(answer).ok());
  auto result = runScript(loop, {{"failure", [&] { return events.failure.has_value(); }, nullptr}}, 5s);
  ASSERT_TRUE(result.completed) << "stuck at " << result.stuckAt;
  EXPECT_NE(events.failure->find("dtls"), std::string::npos) << *events.failure;
  EXPECT_FALSE(pc->connected());
}

TEST(PeerConnection, RejectsAnswerWithoutCandidate) {
  net::EventLoop loop;
  LiteServer server(loop);
  auto pc = makePeer(loop, nullptr);
  std::string answer = server.answerPublish(pc->createPublishOffer());
  std::string stripped;
  size_t pos = 0;
  while (pos < answer.size()) {
    size_t end = answer.find("\r\n", pos);
    std::string line = answer.substr(pos, end - pos);
    if (line.rfind("a=candidate:", 0) != 0) {
      stripped += line + "\r\n";
    }
    pos = end + 2;
  }
  auto applied = pc->applyAnswer(stripped);
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error(), ClientError::kNoCandidate);
}

TEST(PeerConnection, PublisherCannotAnswerOffers) {
  net::EventLoop loop;
  auto pc = makePeer(loop, nullptr);
  pc->createPublishOffer();
  auto answered = pc->answerOffer("v=0\r\n");
  ASSERT_FALSE(answered.ok());
  EXPECT_EQ(answered.error(), ClientError::kWrongState);
}

}  // namespace
}  // namespace medrtc::client
