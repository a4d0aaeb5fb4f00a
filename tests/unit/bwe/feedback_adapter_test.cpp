#include "bwe/feedback_adapter.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/rtcp_packet.hpp"
#include "rtp/transport_cc.hpp"

namespace medrtc::bwe {
namespace {

// A transport-cc feedback packet written by hand: header, base, count, reference, chunks,
// deltas (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
std::vector<uint8_t> feedbackBytes(uint16_t base, uint16_t count, uint32_t reference, std::vector<uint16_t> chunks,
                                   std::vector<uint8_t> deltas) {
  std::vector<uint8_t> body = {0, 0, 0, 1, 0, 0, 0, 2,
                               static_cast<uint8_t>(base >> 8), static_cast<uint8_t>(base),
                               static_cast<uint8_t>(count >> 8), static_cast<uint8_t>(count),
                               static_cast<uint8_t>(reference >> 16), static_cast<uint8_t>(reference >> 8),
                               static_cast<uint8_t>(reference), 0};
  for (uint16_t c : chunks) {
    body.push_back(static_cast<uint8_t>(c >> 8));
    body.push_back(static_cast<uint8_t>(c));
  }
  body.insert(body.end(), deltas.begin(), deltas.end());
  while (body.size() % 4 != 0) {
    body.push_back(0);
  }
  uint16_t words = static_cast<uint16_t>(body.size() / 4);
  std::vector<uint8_t> packet = {0x8F, 205, static_cast<uint8_t>(words >> 8), static_cast<uint8_t>(words)};
  for (uint8_t b : body) {
    packet.push_back(b);
  }
  return packet;
}

struct Parsed {
  std::vector<uint8_t> bytes;
  std::optional<rtp::TransportCcFeedbackView> view;
};

Parsed parse(std::vector<uint8_t> bytes) {
  Parsed p{std::move(bytes), std::nullopt};
  auto compound = rtp::RtcpCompoundView::parse(ByteView(p.bytes.data(), p.bytes.size()));
  EXPECT_TRUE(compound.ok());
  auto view = rtp::TransportCcFeedbackView::parse(*compound->begin());
  EXPECT_TRUE(view.ok());
  if (view.ok()) {
    p.view = *view;
  }
  return p;
}

SendHistory historyOf(int packets) {
  SendHistory h;
  for (int i = 0; i < packets; ++i) {
    h.add(1'000'000 + i * 10'000, 1000);
  }
  return h;
}

TEST(FeedbackAdapter, MatchesSentPacketsWithArrivals) {
  SendHistory history = historyOf(4);
  // Packets 0..3: received, lost, received, received. Two-bit vector chunk: 1 0 1 1.
  auto fb = parse(feedbackBytes(0, 4, 100, {0xC000 | (1 << 12) | (0 << 10) | (1 << 8) | (1 << 6)}, {4, 40, 41}));
  FeedbackAdapter adapter;
  TransportFeedback out;
  ASSERT_TRUE(adapter.adapt(*fb.view, history, 5'000'000, out));
  ASSERT_EQ(out.packets.size(), 4u);
  EXPECT_TRUE(out.timelineReset);  // the first one starts the timeline
  EXPECT_EQ(out.packets[0].arrivalUs, 1000);  // 4 ticks of 250 µs after the reference
  EXPECT_FALSE(out.packets[1].arrivalUs);
  EXPECT_EQ(out.packets[2].arrivalUs, 11'000);
  EXPECT_EQ(out.packets[3].arrivalUs, 21'250);
  EXPECT_EQ(out.packets[2].sent.sendUs, 1'020'000);

  // The next feedback, 2 × 64 ms later, continues the same timeline.
  auto next = parse(feedbackBytes(3, 1, 102, {0x2001}, {0}));
  ASSERT_TRUE(adapter.adapt(*next.view, history, 5'100'000, out));
  EXPECT_FALSE(out.timelineReset);
  ASSERT_EQ(out.packets.size(), 1u);
  EXPECT_EQ(out.packets[0].arrivalUs, 128'000);
}

TEST(FeedbackAdapter, AbsurdDeltasAreIgnoredAndCounted) {
  SendHistory history = historyOf(4);
  // Four large deltas of +8.19 s each: arrivals 8, 16, 24, 32 s after the reference.
  auto fb = parse(feedbackBytes(0, 4, 100, {0x4004}, {0x7F, 0xFF, 0x7F, 0xFF, 0x7F, 0xFF, 0x7F, 0xFF}));
  FeedbackAdapter adapter;
  TransportFeedback out;
  ASSERT_TRUE(adapter.adapt(*fb.view, history, 5'000'000, out));
  EXPECT_EQ(out.packets.size(), 1u);  // only the first is within 10 s
  EXPECT_EQ(adapter.stats().absurdArrivals, 3u);
}

TEST(FeedbackAdapter, HugeStatusCountIsIgnoredAsAWhole) {
  SendHistory history = historyOf(4);
  // A run of 8191 "not received" symbols, told to cover 60000 packets: valid per the
  // draft, but we never have that many in flight.
  auto fb = parse(feedbackBytes(0, 60000, 100, {0x1FFF, 0x1FFF, 0x1FFF, 0x1FFF, 0x1FFF, 0x1FFF, 0x1FFF, 0x1FFF}, {}));
  if (!fb.view) {
    GTEST_SKIP() << "the parser already refuses it";
  }
  FeedbackAdapter adapter;
  TransportFeedback out;
  EXPECT_FALSE(adapter.adapt(*fb.view, history, 5'000'000, out));
  EXPECT_EQ(adapter.stats().ignoredFeedbacks, 1u);
}

TEST(FeedbackAdapter, UnknownNumbersAndReferenceJumpsAreCounted) {
  SendHistory history = historyOf(2);
  FeedbackAdapter adapter;
  TransportFeedback out;
  // Numbers 500..501 were never sent.
  auto unknown = parse(feedbackBytes(500, 2, 100, {0x2002}, {1, 1}));
  ASSERT_TRUE(adapter.adapt(*unknown.view, history, 5'000'000, out));
  EXPECT_TRUE(out.packets.empty());
  EXPECT_EQ(adapter.stats().unknownPackets, 2u);
  // The reference time jumps by 2^23 × 64 ms: a new timeline, counted.
  auto jump = parse(feedbackBytes(0, 1, 100 + 0x7FFFFF, {0x2001}, {1}));
  ASSERT_TRUE(adapter.adapt(*jump.view, history, 5'100'000, out));
  EXPECT_TRUE(out.timelineReset);
  EXPECT_EQ(adapter.stats().timelineResets, 1u);
  EXPECT_EQ(out.packets.size(), 1u);
}

}  // namespace
}  // namespace medrtc::bwe
