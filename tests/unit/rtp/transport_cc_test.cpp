#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "rtp/rtcp_packet.hpp"
#include "rtp/transport_cc.hpp"
#include "rtp/transport_cc_generator.hpp"

namespace medrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

struct Decoded {
  uint16_t seq;
  bool received;
  int64_t arrivalUs;
};

TransportCcFeedbackView parseOne(ByteView b) {
  auto c = RtcpCompoundView::parse(b);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c->packetCount(), 1u);
  const RtcpPacketView p = *c->begin();
  EXPECT_EQ(p.kind(), RtcpKind::kTransportCc);
  auto v = TransportCcFeedbackView::parse(p);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : toString(v.error()));
  return *v;
}

std::vector<Decoded> decode(const TransportCcFeedbackView& v) {
  std::vector<Decoded> out;
  v.forEachPacket([&](uint16_t seq, bool received, int64_t at) { out.push_back({seq, received, at}); });
  return out;
}

std::vector<int64_t> receivedDeltasUs(const TransportCcFeedbackView& v) {
  std::vector<int64_t> out;
  int64_t last = int64_t{v.referenceTime()} * kTwccReferenceTimeUnitUs;
  v.forEachPacket([&](uint16_t, bool received, int64_t at) {
    if (received) {
      out.push_back(at - last);
      last = at;
    }
  });
  return out;
}

// Published vectors (Pion's rtcp transport_layer_cc_test.go, mirrored in webrtc-rs).
const Bytes kPionExample1 = {0xaf, 0xcd, 0x0, 0x5,  0xfa, 0x17, 0xfa, 0x17, 0x43, 0x3, 0x2f, 0xa0,
                             0x0,  0x99, 0x0, 0x1,  0x3d, 0xe8, 0x2,  0x17, 0x20, 0x1, 0x94, 0x1};
const Bytes kPionExample4 = {0xaf, 0xcd, 0x0,  0x7,  0xfa, 0x17, 0xfa, 0x17, 0x19, 0x3d, 0xd8,
                             0xbb, 0x0,  0x4,  0x0,  0x7,  0x10, 0x63, 0x6e, 0x1,  0x20, 0x7,
                             0x4c, 0x24, 0x24, 0x10, 0xc,  0xc,  0x10, 0x0,  0x0,  0x3};

TEST(TransportCcView, PionExample1) {
  const auto v = parseOne(kPionExample1);
  EXPECT_EQ(v.senderSsrc(), 4195875351u);
  EXPECT_EQ(v.mediaSsrc(), 1124282272u);
  EXPECT_EQ(v.baseSequenceNumber(), 153);
  EXPECT_EQ(v.packetStatusCount(), 1);
  EXPECT_EQ(v.referenceTime(), 4057090u);
  EXPECT_EQ(v.feedbackPacketCount(), 23);
  EXPECT_EQ(receivedDeltasUs(v), (std::vector<int64_t>{37000}));
}

TEST(TransportCcView, PionExample4) {
  const auto v = parseOne(kPionExample4);
  EXPECT_EQ(v.baseSequenceNumber(), 4);
  EXPECT_EQ(v.packetStatusCount(), 7);
  EXPECT_EQ(v.referenceTime(), 1074030u);
  EXPECT_EQ(v.feedbackPacketCount(), 1);
  EXPECT_EQ(receivedDeltasUs(v), (std::vector<int64_t>{19000, 9000, 9000, 4000, 3000, 3000, 4000}));
}

TEST(TransportCcView, PionExample3LargeDeltaRunLengths) {
  // Pion sets P on this vector without padding bytes; with P cleared it is well-formed.
  const Bytes b = {0x8f, 0xcd, 0x0,  0x7,  0xfa, 0x17, 0xfa, 0x17, 0x19, 0x3d, 0xd8, 0xbb, 0x1, 0x74, 0x0, 0x6,
                   0x45, 0xb1, 0x5a, 0x40, 0x40, 0x2,  0x20, 0x04, 0x1f, 0xfe, 0x1f, 0x9a, 0xd0, 0x0, 0xd0, 0x0};
  const auto v = parseOne(b);
  EXPECT_EQ(v.baseSequenceNumber(), 372);
  EXPECT_EQ(v.packetStatusCount(), 6);
  EXPECT_EQ(v.referenceTime(), 4567386u);
  EXPECT_EQ(v.feedbackPacketCount(), 64);
  EXPECT_EQ(v.chunkCount(), 2u);
  EXPECT_EQ(receivedDeltasUs(v), (std::vector<int64_t>{2047500, 2022500, 52000, 0, 52000, 0}));
}

TEST(TransportCcView, PionExample5OneBitVector) {
  const Bytes b = {0x8f, 0xcd, 0x0,  0x6,  0xfa, 0x17, 0xfa, 0x17, 0x19, 0x3d, 0xd8, 0xbb, 0x0, 0x1,
                   0x0,  0xe,  0x10, 0x63, 0x6d, 0x0,  0xba, 0x0,  0x10, 0xc,  0xc,  0x10, 0x0, 0x3};
  const auto v = parseOne(b);
  const auto packets = decode(v);
  ASSERT_EQ(packets.size(), 14u);
  std::vector<uint16_t> received;
  for (const auto& p : packets) {
    if (p.received) {
      received.push_back(p.seq);
    }
  }
  EXPECT_EQ(received, (std::vector<uint16_t>{1, 2, 3, 5}));
  EXPECT_EQ(receivedDeltasUs(v), (std::vector<int64_t>{4000, 3000, 3000, 4000}));
}

TEST(TransportCcView, RejectsMalformed) {
  // Status count 8 but the single run-length chunk covers 7 and nothing follows.
  Bytes b = kPionExample4;
  b[0] = 0x8f;
  b[15] = 8;
  b[22 + 7] = 0x20;  // the next "chunk" would be a run of 0x20xx small deltas without bytes
  b[22 + 8] = 0xFF;
  auto c = RtcpCompoundView::parse(b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(TransportCcFeedbackView::parse(*c->begin()).error(), RtcpError::kMalformed);
  // Reserved symbol 3 in a run-length chunk.
  Bytes r = kPionExample1;
  r[20] = 0x60;
  EXPECT_EQ(TransportCcFeedbackView::parse(*RtcpCompoundView::parse(r)->begin()).error(), RtcpError::kMalformed);
  // Too short for the fixed fields.
  const Bytes s = {0x8f, 0xcd, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(TransportCcFeedbackView::parse(*RtcpCompoundView::parse(s)->begin()).error(), RtcpError::kTooShort);
}

TEST(TransportCcWriter, ReproducesPionExample4Bytes) {
  // Same content as the published packet; we pad with zeros instead of RTCP padding.
  TransportCcFeedbackWriter w;
  const int64_t ref = int64_t{1074030} * kTwccReferenceTimeUnitUs;
  const int64_t deltas[] = {19000, 9000, 9000, 4000, 3000, 3000, 4000};
  w.reset(4, ref + deltas[0], 1);
  int64_t t = ref;
  for (uint16_t i = 0; i < 7; ++i) {
    t += deltas[i];
    ASSERT_TRUE(w.addReceivedPacket(static_cast<uint16_t>(4 + i), t));
  }
  uint8_t buf[64];
  const size_t n = w.write(buf, 4195875351u, 423483579u);
  Bytes expected = kPionExample4;
  expected[0] = 0x8f;
  expected.back() = 0;
  EXPECT_EQ(Bytes(buf, buf + n), expected);
}

TEST(TransportCcWriter, ReproducesPionExample1Bytes) {
  TransportCcFeedbackWriter w;
  const int64_t at = int64_t{4057090} * kTwccReferenceTimeUnitUs + 37000;
  w.reset(153, at, 23);
  ASSERT_TRUE(w.addReceivedPacket(153, at));
  uint8_t buf[64];
  const size_t n = w.write(buf, 4195875351u, 1124282272u);
  Bytes expected = kPionExample1;
  expected[0] = 0x8f;
  expected.back() = 0;
  EXPECT_EQ(Bytes(buf, buf + n), expected);
}

uint16_t chunkAt(const uint8_t* buf, size_t i) { return readU16(buf + 20 + 2 * i); }

TEST(TransportCcWriter, ChoosesChunksLikeLibwebrtc) {
  uint8_t buf[256];
  {
    // Large, large, then small ×4: fits one two-bit vector.
    TransportCcFeedbackWriter w;
    w.reset(0, 0, 0);
    int64_t t = 0;
    const int64_t deltas[] = {100000, 100000, 1000, 0, 1000, 0};
    for (uint16_t i = 0; i < 6; ++i) {
      t += deltas[i];
      ASSERT_TRUE(w.addReceivedPacket(i, t));
    }
    ASSERT_GT(w.write(buf, 1, 2), 0u);
    EXPECT_EQ(chunkAt(buf, 0), 0xE954);  // 11 | 10 10 01 01 01 01 00
  }
  {
    // Alternating received/lost, small deltas only, 14 symbols: one one-bit vector.
    TransportCcFeedbackWriter w;
    w.reset(10, 0, 0);
    for (uint16_t i = 0; i < 14; i += 2) {
      ASSERT_TRUE(w.addReceivedPacket(static_cast<uint16_t>(10 + i), i * 1000));
    }
    // 13 symbols so far (ends on a received one); add the 14th.
    ASSERT_TRUE(w.addReceivedPacket(23, 20000));
    EXPECT_EQ(w.packetStatusCount(), 14);
    ASSERT_GT(w.write(buf, 1, 2), 0u);
    EXPECT_EQ(chunkAt(buf, 0), 0xAAAB);  // 1 0 | 10101010101011
  }
  {
    // A long gap becomes a run-length chunk of "not received".
    TransportCcFeedbackWriter w;
    w.reset(0, 0, 0);
    ASSERT_TRUE(w.addReceivedPacket(0, 0));
    ASSERT_TRUE(w.addReceivedPacket(301, 1000));
    EXPECT_EQ(w.packetStatusCount(), 302);
    const size_t n = w.write(buf, 1, 2);
    ASSERT_GT(n, 0u);
    const auto v = parseOne(ByteView(buf, n));
    EXPECT_EQ(v.chunkCount(), 3u);
    // libwebrtc keeps filling a one-bit vector (received + 13 lost), then a run.
    EXPECT_EQ(chunkAt(buf, 0), 0xA000);
    EXPECT_EQ(chunkAt(buf, 1), 300 - 13);  // run of 287 "not received"
    EXPECT_EQ(chunkAt(buf, 2), 0x2001);    // run of 1 small delta
  }
}

TEST(TransportCcWriter, RefusesOutOfRangeDeltaAndOldSequence) {
  TransportCcFeedbackWriter w;
  w.reset(100, 0, 0);
  ASSERT_TRUE(w.addReceivedPacket(100, 0));
  EXPECT_FALSE(w.addReceivedPacket(101, 9'000'000));  // 36000 ticks > int16
  EXPECT_FALSE(w.addReceivedPacket(99, 1000));        // older than the last one
  EXPECT_FALSE(w.addReceivedPacket(100, 1000));       // same
  EXPECT_EQ(w.packetStatusCount(), 1);
  ASSERT_TRUE(w.addReceivedPacket(101, -8'000'000));  // large negative delta fits
  uint8_t buf[64];
  const size_t n = w.write(buf, 1, 2);
  EXPECT_EQ(receivedDeltasUs(parseOne(ByteView(buf, n))), (std::vector<int64_t>{0, -8'000'000}));
}

// --- Generator round trips ---

struct Arrival {
  uint16_t seq;
  int64_t us;
};

// Drains the generator and returns the decoded (seq -> arrival) of received packets, the
// lost ones seen, and the packets produced.
struct Drained {
  std::map<uint16_t, int64_t> received;
  std::vector<uint16_t> lost;
  std::vector<Bytes> packets;
};

Drained drain(TransportCcFeedbackGenerator& g, size_t maxSize = 1200) {
  Drained d;
  uint8_t buf[1500];
  while (true) {
    const size_t n = g.buildFeedback(buf, 0xAAAA, 0xBBBB);
    if (n == 0) {
      break;
    }
    EXPECT_LE(n, maxSize);
    d.packets.emplace_back(buf, buf + n);
    for (const auto& p : decode(parseOne(ByteView(buf, n)))) {
      if (p.received) {
        EXPECT_EQ(d.received.count(p.seq), 0u) << "reported twice: " << p.seq;
        d.received[p.seq] = p.arrivalUs;
      } else {
        d.lost.push_back(p.seq);
      }
    }
  }
  EXPECT_FALSE(g.hasPending());
  return d;
}

int64_t quantized(int64_t us) { return us / kTwccDeltaTickUs * kTwccDeltaTickUs; }

TEST(TransportCcGenerator, RoundTripAcrossWraparoundWithGaps) {
  TransportCcFeedbackGenerator g;
  std::map<uint16_t, int64_t> sent;
  int64_t t = 5'000'000;
  for (uint32_t i = 0; i < 200; ++i) {
    const auto seq = static_cast<uint16_t>(65450 + i);
    t += 1000 + (i % 7) * 300;
    if (i % 10 == 3 || (i >= 50 && i < 60)) {
      continue;  // lost
    }
    g.onPacket(seq, t);
    sent[seq] = t;
  }
  const Drained d = drain(g);
  ASSERT_EQ(d.packets.size(), 1u);
  ASSERT_EQ(d.received.size(), sent.size());
  for (const auto& [seq, us] : sent) {
    EXPECT_EQ(d.received.at(seq), quantized(us)) << seq;
  }
  EXPECT_EQ(d.lost.size(), 200u - sent.size());  // the last one (i=199) is received
  const auto v = parseOne(d.packets[0]);
  EXPECT_EQ(v.baseSequenceNumber(), 65450);
  EXPECT_EQ(v.feedbackPacketCount(), 0);
}

TEST(TransportCcGenerator, ReorderingAndDuplicates) {
  TransportCcFeedbackGenerator g;
  g.onPacket(10, 1'000'000);
  g.onPacket(12, 1'002'000);
  g.onPacket(11, 1'003'000);  // late: negative delta for 12 → large
  g.onPacket(12, 1'009'000);  // duplicate keeps the first arrival
  g.onPacket(9, 1'004'000);   // older than the first, before any feedback: still reported
  const Drained d = drain(g);
  ASSERT_EQ(d.packets.size(), 1u);
  EXPECT_EQ(d.received.size(), 4u);
  EXPECT_EQ(d.received.at(9), 1'004'000);
  EXPECT_EQ(d.received.at(10), 1'000'000);
  EXPECT_EQ(d.received.at(11), 1'003'000);
  EXPECT_EQ(d.received.at(12), 1'002'000);
  // After a report, a straggler for a reported number is ignored.
  g.onPacket(8, 1'010'000);
  EXPECT_FALSE(g.hasPending());
  g.onPacket(13, 1'011'000);
  const Drained next = drain(g);
  ASSERT_EQ(next.packets.size(), 1u);
  EXPECT_EQ(parseOne(next.packets[0]).baseSequenceNumber(), 13);
  EXPECT_EQ(parseOne(next.packets[0]).feedbackPacketCount(), 1);
}

TEST(TransportCcGenerator, SplitsWhenDeltaExceeds16Bits) {
  TransportCcFeedbackGenerator g;
  g.onPacket(1, 0);
  g.onPacket(2, 1000);
  g.onPacket(3, 10'000'000);  // 10 s later: 39996 ticks
  g.onPacket(4, 10'001'000);
  const Drained d = drain(g);
  ASSERT_EQ(d.packets.size(), 2u);
  EXPECT_EQ(parseOne(d.packets[0]).packetStatusCount(), 2);
  EXPECT_EQ(parseOne(d.packets[1]).baseSequenceNumber(), 3);
  EXPECT_EQ(d.received.at(3), 10'000'000);
  EXPECT_EQ(d.received.at(4), 10'001'000);
  EXPECT_TRUE(d.lost.empty());
}

TEST(TransportCcGenerator, SplitsAtSizeLimitWithLargeDeltas) {
  // A 600-byte limit, so a span within the window needs more than two packets.
  TransportCcFeedbackGenerator g(600);
  std::map<uint16_t, int64_t> sent;
  // Every other packet lost and deltas of 100 ms (large): 2 bytes each plus 2-bit chunks.
  int64_t t = 0;
  for (uint32_t i = 0; i < TransportCcFeedbackGenerator::kWindow - 24; i += 2) {
    t += 100'000;
    const auto seq = static_cast<uint16_t>(60000 + i);
    g.onPacket(seq, t);
    sent[seq] = t;
  }
  const Drained d = drain(g);
  EXPECT_GT(d.packets.size(), 2u);
  ASSERT_EQ(d.received.size(), sent.size());
  for (const auto& [seq, us] : sent) {
    EXPECT_EQ(d.received.at(seq), quantized(us));
  }
  // Consecutive packets continue where the previous one ended.
  for (size_t i = 1; i < d.packets.size(); ++i) {
    const auto prev = parseOne(d.packets[i - 1]);
    const auto cur = parseOne(d.packets[i]);
    EXPECT_EQ(static_cast<uint16_t>(prev.baseSequenceNumber() + prev.packetStatusCount()), cur.baseSequenceNumber());
    EXPECT_EQ(static_cast<uint8_t>(prev.feedbackPacketCount() + 1), cur.feedbackPacketCount());
  }
}

TEST(TransportCcGenerator, SmallerSizeLimitIsRespected) {
  TransportCcFeedbackGenerator g(200);
  for (uint16_t i = 0; i < 1000; ++i) {
    g.onPacket(i, int64_t{i} * 70'000);  // 280 ticks: large
  }
  const Drained d = drain(g, 200);
  EXPECT_EQ(d.received.size(), 1000u);
  EXPECT_GE(d.packets.size(), 1000u * 2 / 180);
}

TEST(TransportCcGenerator, WindowOverflowDropsOldestUnreported) {
  TransportCcFeedbackGenerator g;
  g.onPacket(0, 0);
  g.onPacket(static_cast<uint16_t>(TransportCcFeedbackGenerator::kWindow + 100), 1000);
  const Drained d = drain(g);
  EXPECT_EQ(d.received.size(), 1u);
  EXPECT_EQ(d.received.count(0), 0u);
}

TEST(TransportCcGenerator, SmallOutputBufferKeepsDataPending) {
  TransportCcFeedbackGenerator g;
  g.onPacket(1, 0);
  uint8_t tiny[8];
  EXPECT_EQ(g.buildFeedback(tiny, 1, 2), 0u);
  EXPECT_TRUE(g.hasPending());
  EXPECT_EQ(drain(g).received.size(), 1u);
}

TEST(TransportCcGenerator, RandomizedStreamRoundTripsExactlyOnce) {
  // 30,000 packets starting at 50,000 (the 16-bit space wraps), 5 % loss, adjacent swaps, duplicates, jitter
  // spikes; feedback drained every 100 packets as a timer would.
  std::mt19937 rng(42);
  TransportCcFeedbackGenerator g;
  SequenceNumberUnwrapper unwrap;
  std::map<int64_t, int64_t> expected;  // unwrapped seq -> first arrival
  std::map<int64_t, int64_t> reported;
  int64_t reportedBelow = std::numeric_limits<int64_t>::min();
  int64_t highest = std::numeric_limits<int64_t>::min();
  SequenceNumberUnwrapper decodeUnwrap;
  int64_t now = 1'000'000;
  std::vector<uint16_t> order;
  for (uint32_t i = 0; i < 30'000; ++i) {
    order.push_back(static_cast<uint16_t>(50'000 + i));
  }
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    if (rng() % 20 == 0) {
      std::swap(order[i], order[i + 1]);
    }
  }
  auto drainInto = [&]() {
    uint8_t buf[1500];
    while (const size_t n = g.buildFeedback(buf, 1, 2)) {
      for (const auto& p : decode(parseOne(ByteView(buf, n)))) {
        if (p.received) {
          const int64_t u = decodeUnwrap.unwrap(p.seq);
          EXPECT_EQ(reported.count(u), 0u);
          reported[u] = p.arrivalUs;
        }
      }
    }
    reportedBelow = highest + 1;
  };
  for (size_t i = 0; i < order.size(); ++i) {
    now += 500 + static_cast<int64_t>(rng() % 2000) + (rng() % 500 == 0 ? 300'000 : 0);
    if (rng() % 20 != 0) {
      const int64_t u = unwrap.unwrap(order[i]);
      const int copies = rng() % 50 == 0 ? 2 : 1;
      for (int c = 0; c < copies; ++c) {
        g.onPacket(order[i], now + c * 1000);
      }
      if (u >= reportedBelow && expected.count(u) == 0) {
        expected[u] = now;
      }
      highest = std::max(highest, u);
    }
    if (i % 100 == 99) {
      drainInto();
    }
  }
  drainInto();
  ASSERT_EQ(reported.size(), expected.size());
  for (const auto& [u, us] : expected) {
    ASSERT_EQ(reported.count(u), 1u) << u;
    EXPECT_EQ(reported.at(u), quantized(us)) << u;
  }
}

}  // namespace
}  // namespace medrtc::rtp
