// RtcpCompoundView::salvage: the packets of a compound before its first malformed one, as
// libwebrtc's RTCPReceiver::ParseCompoundPacket keeps them (it stops at the first header
// it cannot parse and counts the rest skipped); parse() stays strict.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "rtp/rtcp_feedback.hpp"
#include "rtp/rtcp_packet.hpp"

namespace medrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

const Bytes kReceiverReport = {0x80, 0xC9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44};  // no report blocks
const Bytes kNack = {0x81, 0xCD, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x99, 0x88, 0x77, 0x66, 0x00, 0x64, 0x80, 0x01};
const Bytes kPli = {0x81, 0xCE, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x99, 0x88, 0x77, 0x66};
// werift 0.25's transport-cc feedback: 22 bytes, length field 4 (20 bytes, rounded down),
// no padding: 2 bytes of deltas past what the length covers.
const Bytes kUnpaddedTwcc = {0x8F, 0xCD, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x99, 0x88, 0x77, 0x66,
                             0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x20, 0x03};

TEST(RtcpSalvage, KeepsThePacketsBeforeAMalformedOneAndSaysHowMuchWasDropped) {
  const Bytes b = concat({kReceiverReport, kNack, {0x80, 0xC9}});
  EXPECT_EQ(RtcpCompoundView::parse(b).error(), RtcpError::kTooShort) << "parse() stays strict";
  auto c = RtcpCompoundView::salvage(b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->packetCount(), 2u);
  EXPECT_EQ(c->droppedBytes(), 2u);
  EXPECT_EQ(c->bytes().size(), kReceiverReport.size() + kNack.size());
  std::vector<RtcpKind> kinds;
  for (const RtcpPacketView p : *c) {
    kinds.push_back(p.kind());
  }
  EXPECT_EQ(kinds, (std::vector<RtcpKind>{RtcpKind::kReceiverReport, RtcpKind::kGenericNack}));
  auto nack = GenericNackView::parse(*std::next(c->begin()));
  ASSERT_TRUE(nack.ok());
  EXPECT_EQ(nack->mediaSsrc(), 0x99887766u);
}

TEST(RtcpSalvage, StopsAtEachKindOfBrokenHeader) {
  Bytes badVersion = kPli;
  badVersion[0] = 0x41;
  Bytes tooLong = kPli;
  tooLong[3] = 0x09;
  Bytes zeroPadding = {0xA0, 0xC9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x00};
  for (const Bytes& broken : {badVersion, tooLong, zeroPadding}) {
    const Bytes b = concat({kReceiverReport, kPli, broken, kNack});
    auto c = RtcpCompoundView::salvage(b);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->packetCount(), 2u);
    EXPECT_EQ(c->droppedBytes(), broken.size() + kNack.size()) << "nothing after the broken packet is read";
  }
}

TEST(RtcpSalvage, AWeriftFeedbackAfterAReportKeepsTheReport) {
  const Bytes b = concat({kReceiverReport, kUnpaddedTwcc});
  auto c = RtcpCompoundView::salvage(b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->packetCount(), 2u);  // the report, and the feedback up to its length field
  EXPECT_EQ(c->droppedBytes(), 2u);
  EXPECT_EQ(std::next(c->begin()).operator*().kind(), RtcpKind::kTransportCc);
}

TEST(RtcpSalvage, AWholeCompoundIsReadAsParseReadsIt) {
  const Bytes b = concat({kReceiverReport, kNack, kPli});
  auto c = RtcpCompoundView::salvage(b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->packetCount(), 3u);
  EXPECT_EQ(c->droppedBytes(), 0u);
  EXPECT_EQ(c->bytes().size(), b.size());
}

TEST(RtcpSalvage, RejectsWhatHasNoGoodFirstPacket) {
  EXPECT_EQ(RtcpCompoundView::salvage(Bytes{}).error(), RtcpError::kTooShort);
  EXPECT_EQ(RtcpCompoundView::salvage(Bytes{0x80, 0xC9, 0x00}).error(), RtcpError::kTooShort);
  Bytes v1 = concat({kPli, kNack});
  v1[0] = 0x41;
  EXPECT_EQ(RtcpCompoundView::salvage(v1).error(), RtcpError::kBadVersion);
  Bytes tooLong = kPli;
  tooLong[3] = 0x03;
  EXPECT_EQ(RtcpCompoundView::salvage(tooLong).error(), RtcpError::kBadLength);
}

TEST(RtcpSalvage, EveryTruncationKeepsTheWholePacketsBeforeTheCut) {
  const Bytes b = concat({kReceiverReport, kNack, kPli});
  for (size_t n = 0; n <= b.size(); ++n) {
    const Bytes prefix(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
    auto c = RtcpCompoundView::salvage(prefix);
    size_t whole = (n >= kReceiverReport.size()) + (n >= kReceiverReport.size() + kNack.size()) + (n == b.size());
    ASSERT_EQ(c.ok(), whole > 0) << n;
    if (c.ok()) {
      EXPECT_EQ(c->packetCount(), whole) << n;
      EXPECT_EQ(c->bytes().size() + c->droppedBytes(), n) << n;
    }
  }
}

}  // namespace
}  // namespace medrtc::rtp
