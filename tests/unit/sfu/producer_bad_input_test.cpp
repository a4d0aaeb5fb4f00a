// Bad input from a publisher (issue 12, "How to test it here"): simulcast packets with RIDs
// the offer never announced, an SSRC that changes mid-stream, RTX for an SSRC never
// announced, a payload type that was not negotiated. Each is dropped, counted in the
// producer's stats and in the worker's /metrics counters (sfu/media_counters.hpp), and the
// stream that was bound keeps flowing. Also the NACK figures: a gap repaired by RTX counts.
// The RTP seeds in tests/fuzz/corpus/rtp/ hold such packets for the parser fuzzer; the
// last test replays them through a simulcast producer.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

#include "rtp/rtp_packet_builder.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/producer.hpp"

namespace medrtc::sfu {
namespace {

constexpr uint8_t kVp8 = 120;
constexpr uint8_t kRtx = 121;

ProducerParameters parameters(std::vector<std::string> rids) {
  ProducerParameters p;
  p.mid = "1";
  p.kind = "video";
  p.trackId = "cam";
  RtpCodec vp8;
  vp8.payloadType = kVp8;
  vp8.name = "VP8";
  vp8.clockRate = 90000;
  vp8.rtcpFeedback = {"nack", "nack pli"};
  RtpCodec rtx;
  rtx.payloadType = kRtx;
  rtx.name = "rtx";
  rtx.clockRate = 90000;
  rtx.rtxFor = kVp8;
  p.codecs = {vp8, rtx};
  p.forwardedPayloadTypes = {{kVp8, 96}, {kRtx, 97}};
  p.rids = std::move(rids);
  return p;
}

struct Packet {
  std::array<uint8_t, 1500> buffer{};
  size_t size = 0;
  rtp::RtpPacketView view() { return *rtp::RtpPacketView::parse(MutableByteView(buffer.data(), size)); }
};

Packet makePacket(uint8_t pt, uint16_t seq, uint32_t ssrc, std::vector<uint8_t> payload) {
  Packet p;
  rtp::RtpPacketBuilder builder;
  builder.payloadType(pt).sequenceNumber(seq).timestamp(9000).ssrc(ssrc);
  p.size = *builder.write(MutableByteView(p.buffer), ByteView(payload));
  return p;
}

// The worker counters of this (non-worker) thread: the shared spare, read as deltas.
struct CounterSnapshot {
  uint64_t unknownSsrc = mediaCounters().droppedUnknownSsrc.value();
  uint64_t unknownRid = mediaCounters().droppedUnknownRid.value();
  uint64_t unknownPayloadType = mediaCounters().droppedUnknownPayloadType.value();
  uint64_t gapsRepaired = mediaCounters().gapsRepaired.value();
};

TEST(ProducerBadInput, UnknownRidsAreRefusedCountedAndTheAnnouncedLayersStillForward) {
  Producer producer("p1", parameters({"q", "h", "f"}));
  CounterSnapshot before;
  for (std::string_view rid : {"x", "zz-unknown_9", "Q", "qq", ""}) {
    EXPECT_FALSE(producer.bindRid(0x99, rid, false)) << rid;
  }
  EXPECT_FALSE(producer.bindRid(0x98, "x", true));  // repaired-rtp-stream-id of no layer
  EXPECT_EQ(producer.stats().unknownRid, 6u);
  EXPECT_EQ(mediaCounters().droppedUnknownRid.value() - before.unknownRid, 6u);

  auto stray = makePacket(kVp8, 1, 0x99, {0x10});
  auto strayView = stray.view();
  EXPECT_EQ(producer.receive(strayView, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(mediaCounters().droppedUnknownSsrc.value() - before.unknownSsrc, 1u);

  ASSERT_TRUE(producer.bindRid(0x10, "h", false));
  size_t layer = 99;
  auto good = makePacket(kVp8, 1, 0x10, {0x10});
  auto goodView = good.view();
  EXPECT_EQ(producer.receive(goodView, Micros(0), &layer), Producer::Verdict::kForward);
  EXPECT_EQ(layer, 1u);
}

TEST(ProducerBadInput, AnSsrcThatChangesMidStreamIsDroppedAndCountedTheFirstKeepsFlowing) {
  // Simulcast: the layer keeps the SSRC it was bound to.
  Producer simulcast("p1", parameters({"q", "h", "f"}));
  CounterSnapshot before;
  ASSERT_TRUE(simulcast.bindRid(0x10, "q", false));
  for (uint16_t seq = 1; seq <= 3; ++seq) {
    auto p = makePacket(kVp8, seq, 0x10, {0x10});
    auto v = p.view();
    ASSERT_EQ(simulcast.receive(v, Micros(seq * 1000)), Producer::Verdict::kForward);
  }
  EXPECT_FALSE(simulcast.bindRid(0x20, "q", false));  // the same RID on a new SSRC
  for (uint16_t seq = 500; seq < 510; ++seq) {
    auto p = makePacket(kVp8, seq, 0x20, {0x10});
    auto v = p.view();
    EXPECT_EQ(simulcast.receive(v, Micros(10'000)), Producer::Verdict::kDrop);
  }
  EXPECT_EQ(simulcast.stats().unknownSsrc, 10u);
  EXPECT_EQ(mediaCounters().droppedUnknownSsrc.value() - before.unknownSsrc, 10u);
  EXPECT_EQ(mediaCounters().droppedUnknownRid.value() - before.unknownRid, 1u);
  // The first SSRC goes on; the other SSRC's numbers opened no gap in its NACK list.
  auto next = makePacket(kVp8, 4, 0x10, {0x10});
  auto nextView = next.view();
  EXPECT_EQ(simulcast.receive(nextView, Micros(20'000)), Producer::Verdict::kForward);
  EXPECT_EQ(simulcast.layer(0).nack().pending(), 0u);

  // Without simulcast: the signalled SSRC stays; another one on the track is dropped.
  ProducerParameters plain = parameters({});
  plain.ssrc = 0x1234;
  Producer single("p2", plain);
  auto other = makePacket(kVp8, 1, 0x4321, {0x10});
  auto otherView = other.view();
  EXPECT_EQ(single.receive(otherView, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(single.stats().unknownSsrc, 1u);
  EXPECT_EQ(single.stats().packets, 0u);
}

TEST(ProducerBadInput, RtxForAnSsrcNeverAnnouncedIsDroppedAndCountedNotUnwrapped) {
  ProducerParameters plain = parameters({});
  plain.ssrc = 0x1234;
  plain.rtxSsrc = 0x1235;
  Producer producer("p1", plain);
  CounterSnapshot before;
  // An RTX packet (OSN 7) on an SSRC the offer never named.
  auto rtx = makePacket(kRtx, 1, 0x7777, {0x00, 0x07, 0x10});
  auto view = rtx.view();
  EXPECT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(producer.stats().retransmissions, 0u);
  EXPECT_EQ(view.ssrc(), 0x7777u);  // left as it was
  EXPECT_EQ(mediaCounters().droppedUnknownSsrc.value() - before.unknownSsrc, 1u);
  // An RTX packet too short to hold an OSN on the announced RTX SSRC: dropped, nothing read.
  auto empty = makePacket(kRtx, 2, 0x1235, {});
  auto emptyView = empty.view();
  EXPECT_EQ(producer.receive(emptyView, Micros(0)), Producer::Verdict::kDrop);
}

TEST(ProducerBadInput, AnUnnegotiatedPayloadTypeIsDroppedAndCounted) {
  ProducerParameters plain = parameters({});
  plain.ssrc = 0x1234;
  Producer producer("p1", plain);
  CounterSnapshot before;
  auto odd = makePacket(99, 1, 0x1234, {0x10});
  auto view = odd.view();
  EXPECT_EQ(producer.receive(view, Micros(0)), Producer::Verdict::kDrop);
  EXPECT_EQ(mediaCounters().droppedUnknownPayloadType.value() - before.unknownPayloadType, 1u);
}

TEST(ProducerBadInput, RtxOfAPacketThatIsNotMissingIsDroppedNotForwardedAgain) {
  // libwebrtc's probe padding: retransmissions of packets that arrived long ago.
  ProducerParameters plain = parameters({});
  plain.ssrc = 0x1234;
  plain.rtxSsrc = 0x1235;
  Producer producer("p1", plain);
  for (uint16_t seq = 10; seq <= 12; ++seq) {
    auto p = makePacket(kVp8, seq, 0x1234, {0x10});
    auto v = p.view();
    ASSERT_EQ(producer.receive(v, Micros(seq * 1000)), Producer::Verdict::kForward);
  }
  auto padding = makePacket(kRtx, 1, 0x1235, {0x00, 11, 0x10});
  auto view = padding.view();
  EXPECT_EQ(producer.receive(view, Micros(50'000)), Producer::Verdict::kDrop);
  EXPECT_EQ(producer.stats().unrequestedRetransmissions, 1u);
  // A retransmission that fills a gap is forwarded (AGapFilledByRtxCountsAsRepaired), and
  // one ahead of everything received is new media.
  auto ahead = makePacket(kRtx, 2, 0x1235, {0x00, 13, 0x10});
  auto aheadView = ahead.view();
  EXPECT_EQ(producer.receive(aheadView, Micros(60'000)), Producer::Verdict::kForward);
}

TEST(ProducerBadInput, AGapFilledByRtxCountsAsRepaired) {
  ProducerParameters plain = parameters({});
  plain.ssrc = 0x1234;
  plain.rtxSsrc = 0x1235;
  Producer producer("p1", plain);
  CounterSnapshot before;
  for (uint16_t seq : {10, 12}) {  // 11 lost on the way
    auto p = makePacket(kVp8, seq, 0x1234, {0x10});
    auto v = p.view();
    ASSERT_EQ(producer.receive(v, Micros(seq * 1000)), Producer::Verdict::kForward);
  }
  EXPECT_EQ(producer.layer(0).nack().pending(), 1u);
  auto rtx = makePacket(kRtx, 1, 0x1235, {0x00, 11, 0x10});
  auto view = rtx.view();
  ASSERT_EQ(producer.receive(view, Micros(50'000)), Producer::Verdict::kForward);
  EXPECT_EQ(view.sequenceNumber(), 11);
  EXPECT_EQ(producer.layer(0).nack().pending(), 0u);
  EXPECT_EQ(mediaCounters().gapsRepaired.value() - before.gapsRepaired, 1u);
}

TEST(ProducerBadInput, EveryRtpFuzzSeedThroughASimulcastProducerIsForwardedOrDroppedAndCounted) {
  // tests/fuzz/corpus/rtp/: bound by their RID (id 10) or repaired RID (id 11) header
  // extension as the participant binds them, then received, in file-name order. The seeds
  // use VP8 96 with RTX 97, as Chromium's offers do.
  const char* src = std::getenv("MEDRTC_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  std::vector<std::filesystem::path> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(src) / "tests/fuzz/corpus/rtp")) {
    seeds.push_back(entry.path());
  }
  std::sort(seeds.begin(), seeds.end());
  ASSERT_GE(seeds.size(), 10u);
  ProducerParameters p = parameters({"q", "h", "f"});
  p.codecs[0].payloadType = 96;
  p.codecs[1].payloadType = 97;
  p.codecs[1].rtxFor = 96;
  p.forwardedPayloadTypes = {{96, 96}, {97, 97}};
  Producer producer("p1", p);
  CounterSnapshot before;
  size_t forwarded = 0;
  size_t dropped = 0;
  for (const auto& path : seeds) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = rtp::RtpPacketView::parse(MutableByteView(bytes.data(), bytes.size()));
    if (!parsed.ok()) {
      continue;
    }
    rtp::RtpPacketView packet = *parsed;
    if (auto rid = packet.rid(10)) {
      producer.bindRid(packet.ssrc(), *rid, false);
    } else if (auto repaired = packet.rid(11)) {
      producer.bindRid(packet.ssrc(), *repaired, true);
    }
    if (producer.receive(packet, Micros(1000)) == Producer::Verdict::kForward) {
      ++forwarded;
    } else {
      ++dropped;
    }
  }
  const uint64_t counted = (mediaCounters().droppedUnknownSsrc.value() - before.unknownSsrc) +
                           (mediaCounters().droppedUnknownPayloadType.value() - before.unknownPayloadType);
  // simulcast_mid_rid binds f and forwards; the unannounced RID, the changed SSRC, the
  // unannounced RTX and the unknown payload type are dropped, and every drop is counted.
  EXPECT_GE(forwarded, 1u);
  EXPECT_GE(dropped, 4u);
  EXPECT_GE(counted, 4u);
  EXPECT_GE(mediaCounters().droppedUnknownRid.value() - before.unknownRid, 2u);  // zz-unknown_9, f again
}

}  // namespace
}  // namespace medrtc::sfu
