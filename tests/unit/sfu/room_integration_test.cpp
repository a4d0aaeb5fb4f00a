// The SFU end to end on loopback: synthetic clients (src/client) ↔ the real media plane
// (workers, ICE-lite, DTLS, SRTP, Room fan-out, RTCP per hop). Each wait is bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>

#include "call_harness.hpp"
#include "rtp/demux.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_reports.hpp"
#include "rtp/transport_cc.hpp"
#include "sdp/parse.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

std::string errorsOf(const std::vector<Endpoint*>& endpoints) {
  std::string out;
  for (const Endpoint* e : endpoints) {
    for (const auto& error : e->errors) {
      out += e->id + ": " + error + "\n";
    }
  }
  return out;
}

// Every packet that carries a synthetic send time carries one its publisher really
// embedded, and arrived after it was sent (one host, one monotonic clock).
void expectSendTimesFrom(const Endpoint& receiver, const Endpoint& publisher) {
  size_t checked = 0;
  for (const ReceivedRtp& r : receiver.received) {
    ASSERT_TRUE(r.sendTime.has_value()) << "packet without a send time, ssrc " << r.ssrc;
    EXPECT_EQ(publisher.sentTimes.count(r.sendTime->count()), 1u) << "unknown send time " << r.sendTime->count();
    EXPECT_GE(r.at, *r.sendTime);
    EXPECT_LT(r.at - *r.sendTime, 1s);
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

// Collects the RTCP packets of one kind from compound packets.
template <typename F>
void forEachRtcp(const std::vector<ReceivedRtcp>& list, rtp::RtcpKind kind, F&& f) {
  for (const auto& compound : list) {
    auto parsed = rtp::RtcpCompoundView::parse(ByteView(compound.bytes));
    ASSERT_TRUE(parsed.ok());
    for (const rtp::RtcpPacketView packet : *parsed) {
      if (packet.kind() == kind) {
        f(packet);
      }
    }
  }
}

// The mids of `participantId`'s tracks in a subscriber offer (a=msid:<participant> <track>).
std::vector<std::string> midsOf(const std::string& offer, const std::string& participantId) {
  std::vector<std::string> mids;
  auto parsed = sdp::parse(offer);
  if (!parsed.ok()) {
    return mids;
  }
  for (const auto& m : parsed->media) {
    if (m.msid && m.msid->first == participantId) {
      mids.push_back(m.mid);
    }
  }
  return mids;
}

TEST(Room, TwoParticipantsReceiveEachOthersAudioAndVideo) {
  CallHarness h;
  Endpoint& a = h.join("r", "a");
  Endpoint& b = h.join("r", "b");
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.pubConnected() && a.subConnected() && b.subConnected(); }))
      << errorsOf({&a, &b});

  MediaPump pumpA(h.loop(), a);
  MediaPump pumpB(h.loop(), b);
  pumpA.start();
  pumpB.start();
  ASSERT_TRUE(h.runUntil([&] {
    return a.count(MediaKind::kVideo) >= 60 && a.count(MediaKind::kAudio) >= 40 && b.count(MediaKind::kVideo) >= 60 &&
           b.count(MediaKind::kAudio) >= 40;
  })) << "a video " << a.count(MediaKind::kVideo) << " audio " << a.count(MediaKind::kAudio) << ", b video "
      << b.count(MediaKind::kVideo) << " audio " << b.count(MediaKind::kAudio) << "\n"
      << errorsOf({&a, &b});
  pumpA.stop();
  pumpB.stop();

  for (auto [receiver, publisher] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    SCOPED_TRACE(receiver->id);
    expectSendTimesFrom(*receiver, *publisher);
    ASSERT_TRUE(receiver->first(MediaKind::kVideo)->keyframe) << "video must start on a keyframe";
    // One stream per kind, under the consumer's own SSRC and the server's canonical PTs.
    auto videoSsrcs = receiver->receivedSsrcs(MediaKind::kVideo);
    auto audioSsrcs = receiver->receivedSsrcs(MediaKind::kAudio);
    ASSERT_EQ(videoSsrcs.size(), 1u);
    ASSERT_EQ(audioSsrcs.size(), 1u);
    EXPECT_NE(*videoSsrcs.begin(), publisher->pub->videoSsrc());
    EXPECT_EQ(receiver->first(MediaKind::kVideo)->payloadType, 96);
    EXPECT_EQ(receiver->first(MediaKind::kAudio)->payloadType, 111);
    // Loopback loses nothing; the consumer's sequence numbers are contiguous.
    for (const auto& [ssrc, stats] : receiver->sub->receiveStats().streams()) {
      EXPECT_EQ(stats.lost(), 0) << "ssrc " << ssrc;
    }
  }
  EXPECT_EQ(errorsOf({&a, &b}), "");
  EXPECT_TRUE(h.failures().empty());
}

TEST(Room, NewSubscriberGetsKeyframeAtOnce) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected(); })) << errorsOf({&a});
  // Only the very first frame is a keyframe: any later one must have been asked for.
  MediaPump pump(h.loop(), a, /*keyframeInterval=*/0s);
  pump.start();
  h.runFor(500ms);
  ASSERT_EQ(a.pub->sender()->stats().video.keyframes, 1u);
  ASSERT_EQ(a.pub->sender()->stats().plisReceived, 0u);

  JoinOptions late{.publish = false, .subscribe = true};
  late.pc.requestKeyframeOnStart = false;  // the server alone must ask for the keyframe
  Endpoint& b = h.join("r", "b", late);
  ASSERT_TRUE(h.runUntil([&] { return b.subConnected(); })) << errorsOf({&a, &b});
  Micros connectedAt = h.loop().now();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) > 0; }, 5s)) << errorsOf({&a, &b});

  const ReceivedRtp* firstVideo = b.first(MediaKind::kVideo);
  EXPECT_TRUE(firstVideo->keyframe);
  EXPECT_LT(firstVideo->at - connectedAt, 1s) << "a keyframe should follow the subscriber within a PLI round trip";
  EXPECT_GE(a.pub->sender()->stats().plisReceived, 1u);
  EXPECT_GE(a.pub->sender()->stats().video.keyframes, 2u);
}

uint64_t rtpKey(uint32_t ssrc, uint16_t seq) { return uint64_t{ssrc} << 16 | seq; }

TEST(Room, NackIsAnsweredFromCache) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true, .relaySubscriber = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); })) << errorsOf({&a, &b});

  // The link to B loses the 20th video-sized RTP packet.
  int bigRtp = 0;
  std::optional<std::pair<uint32_t, uint16_t>> lost;
  b.relay->dropToClient = [&](ByteView d) {
    if (lost || d.size() < 400 || d[0] < 128 || d[0] > 191 || rtp::isRtcp(d) || ++bigRtp < 20) {
      return false;
    }
    lost = std::pair{readU32(&d[8]), readU16(&d[2])};
    return true;
  };
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return lost && b.count(MediaKind::kVideo) >= 40; })) << errorsOf({&a, &b});
  auto [ssrc, seq] = *lost;
  ASSERT_EQ(b.sub->receiveStats().find(ssrc)->lost(), 1);

  uint16_t seqs[] = {seq};
  ASSERT_TRUE(b.sub->sendNack(ssrc, seqs));
  auto arrived = [&, ssrc = ssrc, seq = seq] {
    return std::find_if(b.received.begin(), b.received.end(), [&](const ReceivedRtp& r) {
             return r.ssrc == ssrc && r.sequenceNumber == seq;
           }) != b.received.end();
  };
  ASSERT_TRUE(h.runUntil(arrived, 3s)) << "the lost packet was not retransmitted";
  auto again = std::find_if(b.received.begin(), b.received.end(),
                            [&](const ReceivedRtp& r) { return r.ssrc == ssrc && r.sequenceNumber == seq; });
  EXPECT_EQ(again->payloadType, 96);
  ASSERT_TRUE(again->sendTime.has_value());
  EXPECT_EQ(a.sentTimes.count(again->sendTime->count()), 1u) << "the payload is the publisher's original";
  EXPECT_EQ(b.sub->receiveStats().find(ssrc)->lost(), 0);

  // A NACK for a packet that did arrive is answered too (the relay sees the second copy;
  // the client's SRTP replay check then discards it, as a browser's would).
  const ReceivedRtp got = *b.first(MediaKind::kVideo);
  uint16_t again2[] = {got.sequenceNumber};
  ASSERT_EQ(b.relay->forwardedRtp[rtpKey(got.ssrc, got.sequenceNumber)], 1);
  ASSERT_TRUE(b.sub->sendNack(got.ssrc, again2));
  ASSERT_TRUE(h.runUntil([&] { return b.relay->forwardedRtp[rtpKey(got.ssrc, got.sequenceNumber)] == 2; }, 3s));

  // The SFU answered from its own cache: the publisher never saw a NACK.
  EXPECT_EQ(a.pub->sender()->stats().nacksReceived, 0u);
  EXPECT_EQ(errorsOf({&a, &b}), "");
}

TEST(Room, TransportCcFeedbackReachesPublisher) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected(); })) << errorsOf({&a});
  MediaPump pump(h.loop(), a);
  pump.start();
  h.runFor(600ms);
  pump.stop();
  const auto& sent = a.pub->sender()->stats();
  // MediaSender gives every packet it sends (audio and video) the next transport seq.
  const uint64_t sentPackets = sent.audio.packets + sent.video.packets;
  ASSERT_GT(sentPackets, 40u);

  std::set<uint16_t> reported;
  size_t feedbackPackets = 0;
  std::set<uint32_t> mediaSsrcs;
  auto collect = [&] {
    reported.clear();
    feedbackPackets = 0;
    forEachRtcp(a.publisherRtcp, rtp::RtcpKind::kTransportCc, [&](const rtp::RtcpPacketView& packet) {
      auto feedback = rtp::TransportCcFeedbackView::parse(packet);
      ASSERT_TRUE(feedback.ok());
      ASSERT_EQ(packet.packetType(), 205);  // RTPFB
      ASSERT_EQ(packet.countOrFormat(), 15);
      ++feedbackPackets;
      mediaSsrcs.insert(feedback->mediaSsrc());
      feedback->forEachPacket([&](uint16_t seq, bool received, int64_t) {
        if (received) {
          reported.insert(seq);
        }
      });
    });
    return reported.size() >= sentPackets;
  };
  ASSERT_TRUE(h.runUntil(collect, 3s)) << "reported " << reported.size() << " of " << sentPackets;
  // MediaSender starts transport-wide numbering at a random value: the feedback must
  // report exactly one contiguous run of sentPackets numbers, all received.
  EXPECT_EQ(reported.size(), sentPackets);
  uint16_t start = *reported.begin();
  for (int guard = 0; guard < 65536 && reported.count(static_cast<uint16_t>(start - 1)); ++guard) {
    start = static_cast<uint16_t>(start - 1);  // walk back over a wrap at 65535 → 0
  }
  for (uint64_t i = 0; i < sentPackets; ++i) {
    auto seq = static_cast<uint16_t>(start + i);
    EXPECT_EQ(reported.count(seq), 1u) << "transport seq " << seq;
  }
  EXPECT_GE(feedbackPackets, 5u) << "feedback goes every 50 ms";
  for (uint32_t ssrc : mediaSsrcs) {
    EXPECT_TRUE(ssrc == a.pub->audioSsrc() || ssrc == a.pub->videoSsrc()) << ssrc;
  }
}

TEST(Room, ReceiverAndSenderReports) {
  CallHarness h;
  JoinOptions publisher{.publish = true, .subscribe = false};
  publisher.pc.rtcpInterval = 200ms;  // the client's SRs: the server needs one per producer
  Endpoint& a = h.join("r", "a", publisher);
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); })) << errorsOf({&a, &b});
  MediaPump pump(h.loop(), a);
  pump.start();

  std::map<uint32_t, rtp::ReportBlock> blocks;  // about A's streams, from the server's RRs
  std::map<uint32_t, uint32_t> srPackets;       // B's streams → packet count in the server's SR
  std::map<uint32_t, uint64_t> srNtp;
  auto done = [&] {
    blocks.clear();
    srPackets.clear();
    forEachRtcp(a.publisherRtcp, rtp::RtcpKind::kReceiverReport, [&](const rtp::RtcpPacketView& packet) {
      auto rr = rtp::ReceiverReportView::parse(packet);
      ASSERT_TRUE(rr.ok());
      for (size_t i = 0; i < rr->reportCount(); ++i) {
        blocks[rr->reportBlock(i).ssrc] = rr->reportBlock(i);
      }
    });
    forEachRtcp(b.subscriberRtcp, rtp::RtcpKind::kSenderReport, [&](const rtp::RtcpPacketView& packet) {
      auto sr = rtp::SenderReportView::parse(packet);
      ASSERT_TRUE(sr.ok());
      srPackets[sr->senderSsrc()] = sr->packetCount();
      srNtp[sr->senderSsrc()] = sr->ntpTimestamp();
    });
    auto receivedSsrcs = b.receivedSsrcs(MediaKind::kVideo);
    auto audio = b.receivedSsrcs(MediaKind::kAudio);
    receivedSsrcs.insert(audio.begin(), audio.end());
    bool allSrs = receivedSsrcs.size() == 2 &&
                  std::all_of(receivedSsrcs.begin(), receivedSsrcs.end(), [&](uint32_t s) { return srPackets.count(s); });
    return blocks.count(a.pub->audioSsrc()) && blocks.count(a.pub->videoSsrc()) && allSrs;
  };
  ASSERT_TRUE(h.runUntil(done, 6s)) << "rr blocks " << blocks.size() << ", srs " << srPackets.size();
  pump.stop();

  for (uint32_t ssrc : {a.pub->audioSsrc(), a.pub->videoSsrc()}) {
    EXPECT_EQ(blocks[ssrc].cumulativeLost, 0);
    EXPECT_GT(blocks[ssrc].extendedHighestSequence, 0u);
  }
  // The SR carries wall-clock NTP (RFC 3550 §6.4.1) and what was sent on that stream.
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const int64_t nowNtpSeconds = ts.tv_sec + 2208988800LL;
  for (const auto& [ssrc, packets] : srPackets) {
    EXPECT_GT(packets, 0u) << ssrc;
    EXPECT_LE(packets, b.sub->receiveStats().find(ssrc)->packets + 50) << ssrc;
    EXPECT_NEAR(static_cast<double>(srNtp[ssrc] >> 32), static_cast<double>(nowNtpSeconds), 10.0);
  }
}

TEST(Room, ThirdParticipantJoinsAndLeaves) {
  CallHarness h;
  Endpoint& a = h.join("r", "a");
  Endpoint& b = h.join("r", "b");
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.pubConnected() && a.subConnected() && b.subConnected(); }))
      << errorsOf({&a, &b});
  MediaPump pumpA(h.loop(), a);
  MediaPump pumpB(h.loop(), b);
  pumpA.start();
  pumpB.start();

  Endpoint& c = h.join("r", "c");
  auto hasOfferWithC = [](const Endpoint& e) {
    return !e.offers.empty() && midsOf(e.offers.back(), "c").size() == 2 && e.answeredVersion == e.offerVersions.back();
  };
  ASSERT_TRUE(h.runUntil([&] { return c.pubConnected() && c.subConnected() && hasOfferWithC(a) && hasOfferWithC(b); }))
      << errorsOf({&a, &b, &c});
  MediaPump pumpC(h.loop(), c);
  pumpC.start();
  // A and B now receive C too (4 streams each); C receives A and B.
  ASSERT_TRUE(h.runUntil([&] {
    return a.receivedSsrcs(MediaKind::kVideo).size() == 2 && b.receivedSsrcs(MediaKind::kVideo).size() == 2 &&
           c.receivedSsrcs(MediaKind::kVideo).size() == 2 && c.receivedSsrcs(MediaKind::kAudio).size() == 2;
  })) << errorsOf({&a, &b, &c});

  std::vector<std::string> cMids = midsOf(a.offers.back(), "c");
  std::vector<std::string> cMidsAtB = midsOf(b.offers.back(), "c");
  size_t offersA = a.offers.size();
  size_t offersB = b.offers.size();
  pumpC.stop();
  h.leave("r", "c");
  ASSERT_TRUE(h.runUntil([&] {
    return a.offers.size() > offersA && b.offers.size() > offersB && a.answeredVersion == a.offerVersions.back() &&
           b.answeredVersion == b.offerVersions.back();
  })) << errorsOf({&a, &b});

  for (auto [e, mids] : {std::pair{&a, cMids}, std::pair{&b, cMidsAtB}}) {
    SCOPED_TRACE(e->id);
    auto offer = sdp::parse(e->offers.back());
    ASSERT_TRUE(offer.ok());
    size_t stopped = 0;
    for (const auto& m : offer->media) {
      bool wasC = std::find(mids.begin(), mids.end(), m.mid) != mids.end();
      if (wasC) {
        ++stopped;
        EXPECT_EQ(m.port, 0) << "mid " << m.mid;
        // RFC 8866 §5.14: even a stopped m-line lists at least one format.
        EXPECT_FALSE(m.codecs.empty()) << "mid " << m.mid;
      } else {
        EXPECT_NE(m.port, 0) << "mid " << m.mid;
      }
    }
    EXPECT_EQ(stopped, 2u);
  }

  size_t aBefore = a.received.size();
  size_t bBefore = b.received.size();
  ASSERT_TRUE(h.runUntil([&] { return a.received.size() >= aBefore + 50 && b.received.size() >= bBefore + 50; }))
      << errorsOf({&a, &b});
  EXPECT_EQ(errorsOf({&a, &b}), "");
  EXPECT_TRUE(h.failures().empty());
}

}  // namespace
}  // namespace medrtc::sfu::test
