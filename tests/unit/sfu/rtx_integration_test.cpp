// RTX end to end (RFC 4588): a publisher that negotiated rtx loses a video packet on its
// uplink and resends it on the rtx stream; the SFU unwraps it into the original packet
// (sequence number from the OSN, media PT and SSRC) and the subscriber's gap is filled.
// Toward a subscriber that negotiated rtx, the SFU answers a NACK on the consumer's own
// rtx stream.
// The synthetic client does not negotiate or send RTX itself, so the test adds rtx to its
// publish offer and writes the rtx packet by hand.
#include <gtest/gtest.h>

#include <array>

#include "call_harness.hpp"
#include "client/synthetic_media.hpp"
#include "rtp/demux.hpp"
#include "rtp/rtp_packet_builder.hpp"
#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

constexpr uint32_t kRtxSsrc = 0x0BADCAFE;
constexpr int kRtxPayloadType = 97;

// Adds "rtx/90000 apt=96" and an FID group pairing the video SSRC with kRtxSsrc.
std::string addRtx(std::string offerText) {
  auto offer = sdp::parse(offerText);
  EXPECT_TRUE(offer.ok());
  for (auto& m : offer->media) {
    if (m.kind != "video" || m.ssrcs.empty()) {
      continue;
    }
    sdp::Codec rtx;
    rtx.payloadType = kRtxPayloadType;
    rtx.name = "rtx";
    rtx.clockRate = 90000;
    rtx.fmtp = "apt=96";
    rtx.rtxFor = 96;
    m.codecs.push_back(rtx);
    m.formats.push_back(std::to_string(kRtxPayloadType));
    uint32_t media = m.ssrcs.front().ssrc;
    sdp::SsrcInfo info;
    info.ssrc = kRtxSsrc;
    info.cname = m.ssrcs.front().cname;
    m.ssrcs.push_back(info);
    m.ssrcGroups.push_back(sdp::SsrcGroup{"FID", {media, kRtxSsrc}});
  }
  return sdp::serialize(*offer);
}

TEST(Room, RtxPacketsAreUnwrapped) {
  CallHarness h;
  JoinOptions publisher{.publish = true, .subscribe = false, .relayPublisher = true};
  publisher.editOffer = addRtx;
  Endpoint& a = h.join("r", "a", publisher);
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  ASSERT_NE(a.publishAnswer.find("rtx/90000"), std::string::npos) << "the server did not accept rtx";

  // A's uplink loses its 20th video packet; the relay reads its sequence number (RTP
  // headers are not encrypted by SRTP).
  int video = 0;
  std::optional<uint16_t> lostSeq;
  a.pubRelay->dropToServer = [&](ByteView d) {
    if (d.size() < 12 || d[0] < 128 || d[0] > 191 || rtp::isRtcp(d) || readU32(&d[8]) != a.pub->videoSsrc()) {
      return false;
    }
    if (lostSeq) {
      // The SFU NACKs the gap and this client resends on the media SSRC: drop those too,
      // so that only the rtx packet below can fill it.
      return readU16(&d[2]) == *lostSeq;
    }
    if (++video < 20) {
      return false;
    }
    lostSeq = readU16(&d[2]);
    return true;
  };
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return lostSeq && b.count(MediaKind::kVideo) >= 40; }));
  uint32_t consumerSsrc = *b.receivedSsrcs(MediaKind::kVideo).begin();
  ASSERT_EQ(b.sub->receiveStats().find(consumerSsrc)->lost(), 1);

  // The retransmission on the rtx stream: OSN, then the original payload (here a VP8
  // continuation packet carrying a recognisable send time).
  constexpr Micros kMarker{123'456'789};
  std::array<uint8_t, 2 + client::kVp8DescriptorSize + client::kSendTimeSize + 200> rtxPayload{};
  writeU16(rtxPayload.data(), *lostSeq);
  uint8_t* original = rtxPayload.data() + 2;
  original[0] = 0x80;  // X=1, S=0: not the first packet of a frame
  original[1] = 0x80;  // I=1
  original[2] = 0x80;  // M=1, 15-bit PictureID
  original[3] = 0x05;
  client::writeSendTime(original + client::kVp8DescriptorSize, kMarker);
  std::array<uint8_t, 1200> packet{};
  rtp::RtpPacketBuilder builder;
  builder.payloadType(kRtxPayloadType).sequenceNumber(1).timestamp(4242).ssrc(kRtxSsrc);
  size_t length = *builder.write(MutableByteView(packet), ByteView(rtxPayload));
  // PeerConnection has no raw-send hook; its transport does (the object is not const).
  auto& transport = const_cast<client::ClientTransport&>(a.pub->transport());
  ASSERT_TRUE(transport.sendRtp(ByteView(packet.data(), length)));
  transport.flush();

  auto unwrapped = [&] {
    return std::find_if(b.received.begin(), b.received.end(),
                        [&](const ReceivedRtp& r) { return r.sendTime == kMarker; }) != b.received.end();
  };
  ASSERT_TRUE(h.runUntil(unwrapped, 3s)) << "the rtx packet did not reach the subscriber";
  auto it = std::find_if(b.received.begin(), b.received.end(), [&](const ReceivedRtp& r) { return r.sendTime == kMarker; });
  EXPECT_EQ(it->ssrc, consumerSsrc);
  EXPECT_EQ(it->payloadType, 96);
  EXPECT_TRUE(std::equal(it->payload.begin(), it->payload.end(), original, original + (rtxPayload.size() - 2)));
  EXPECT_EQ(it->payload.size(), rtxPayload.size() - 2);
  // It landed exactly in the gap: nothing is missing any more, nothing is duplicated.
  EXPECT_EQ(b.sub->receiveStats().find(consumerSsrc)->lost(), 0);
  EXPECT_EQ(std::count_if(b.received.begin(), b.received.end(),
                          [&](const ReceivedRtp& r) { return r.ssrc == consumerSsrc && r.sequenceNumber == it->sequenceNumber; }),
            1);
  EXPECT_TRUE(a.errors.empty() && b.errors.empty());
}

TEST(Room, ASubscriberWithRtxGetsRetransmissionsOnItsOwnRtxStream) {
  CallHarness h;
  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false});
  JoinOptions subscriber{.publish = false, .subscribe = true, .relaySubscriber = true};
  subscriber.pc.acceptRtx = true;
  Endpoint& b = h.join("r", "b", subscriber);
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));

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
  ASSERT_TRUE(h.runUntil([&] { return lost && b.count(MediaKind::kVideo) >= 40; }));
  auto [ssrc, seq] = *lost;
  uint16_t seqs[] = {seq};
  ASSERT_TRUE(b.sub->sendNack(ssrc, seqs));
  auto isRtx = [&, ssrc = ssrc](const ReceivedRtp& r) { return r.ssrc != ssrc && r.payloadType == kRtxPayloadType; };
  ASSERT_TRUE(h.runUntil([&] { return std::any_of(b.received.begin(), b.received.end(), isRtx); }, 3s))
      << "no rtx packet reached the subscriber";
  auto rtx = std::find_if(b.received.begin(), b.received.end(), isRtx);
  ASSERT_GE(rtx->payload.size(), 2u + client::kVp8DescriptorSize + client::kSendTimeSize);
  EXPECT_EQ(readU16(rtx->payload.data()), seq) << "RFC 4588 §4: the OSN is the number the subscriber asked for";
  auto sendTime = client::readSendTime(rtx->payload.data() + 2 + client::kVp8DescriptorSize);
  ASSERT_TRUE(sendTime.has_value());
  EXPECT_EQ(a.sentTimes.count(sendTime->count()), 1u) << "the payload is the publisher's original";
  // Not resent on the media stream as well.
  EXPECT_EQ(std::count_if(b.received.begin(), b.received.end(),
                          [&, ssrc = ssrc, seq = seq](const ReceivedRtp& r) { return r.ssrc == ssrc && r.sequenceNumber == seq; }),
            0);
  EXPECT_TRUE(a.errors.empty() && b.errors.empty());
}

}  // namespace
}  // namespace medrtc::sfu::test
