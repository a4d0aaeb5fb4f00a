#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rtp/rtcp_feedback.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_reports.hpp"

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

// RR/SR report block: ssrc 0x55667788, 25 % lost, cumulative -2, ext highest 65541,
// jitter 16, LSR 0xABCDEF01, DLSR 1 s.
const Bytes kReportBlock = {0x55, 0x66, 0x77, 0x88, 0x40, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0x00, 0x05,
                            0x00, 0x00, 0x00, 0x10, 0xAB, 0xCD, 0xEF, 0x01, 0x00, 0x01, 0x00, 0x00};

const Bytes kSenderReport = concat({{0x81, 0xC8, 0x00, 0x0C, 0x11, 0x22, 0x33, 0x44,  //
                                     0xDD, 0xDD, 0xDD, 0xDD, 0xEE, 0xEE, 0xEE, 0xEE,  // NTP
                                     0x00, 0x01, 0x5F, 0x90,                          // RTP ts 90000
                                     0x00, 0x00, 0x00, 0x64,                          // 100 packets
                                     0x00, 0x00, 0x27, 0x10},                         // 10000 octets
                                    kReportBlock});
const Bytes kSdesCname = {0x81, 0xCA, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x01, 0x04, 'a', 'b', 'c', 'd', 0x00, 0x00};
const Bytes kReceiverReport = concat({{0x81, 0xC9, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44}, kReportBlock});
// NACK: (PID 100, BLP 0x8001) = 100, 101, 116; (PID 65535, BLP 0x0003) = 65535, 0, 1.
const Bytes kNack = {0x81, 0xCD, 0x00, 0x04, 0x11, 0x22, 0x33, 0x44, 0x99, 0x88, 0x77, 0x66,
                     0x00, 0x64, 0x80, 0x01, 0xFF, 0xFF, 0x00, 0x03};
const Bytes kPli = {0x81, 0xCE, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x99, 0x88, 0x77, 0x66};
const Bytes kFir = {0x84, 0xCE, 0x00, 0x04, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00,
                    0x99, 0x88, 0x77, 0x66, 0x07, 0x00, 0x00, 0x00};
// REMB 1,000,000 bps = 250000 << 2: exp 2, mantissa 0x3D090 → 0B D0 90.
const Bytes kRemb = {0x8F, 0xCE, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00,
                     'R',  'E',  'M',  'B',  0x01, 0x0B, 0xD0, 0x90, 0x99, 0x88, 0x77, 0x66};
const Bytes kBye = {0x81, 0xCB, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x04, 'd', 'o', 'n', 'e', 0x00, 0x00, 0x00};
const Bytes kXr = {0x80, 0xCF, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44};  // RFC 3611, not handled

std::vector<RtcpKind> kinds(const RtcpCompoundView& c) {
  std::vector<RtcpKind> out;
  for (const RtcpPacketView p : c) {
    out.push_back(p.kind());
  }
  return out;
}

void expectReportBlock(const ReportBlock& b) {
  EXPECT_EQ(b.ssrc, 0x55667788u);
  EXPECT_EQ(b.fractionLost, 0x40);
  EXPECT_EQ(b.cumulativeLost, -2);
  EXPECT_EQ(b.extendedHighestSequence, 65541u);
  EXPECT_EQ(b.jitter, 16u);
  EXPECT_EQ(b.lastSr, 0xABCDEF01u);
  EXPECT_EQ(b.delaySinceLastSr, 65536u);
}

TEST(RtcpCompound, SenderReportPlusSdes) {
  const Bytes b = concat({kSenderReport, kSdesCname});
  auto c = RtcpCompoundView::parse(b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->packetCount(), 2u);
  EXPECT_EQ(kinds(*c), (std::vector<RtcpKind>{RtcpKind::kSenderReport, RtcpKind::kSdes}));
  auto it = c->begin();
  auto sr = SenderReportView::parse(*it);
  ASSERT_TRUE(sr.ok());
  EXPECT_EQ(sr->senderSsrc(), 0x11223344u);
  EXPECT_EQ(sr->ntpTimestamp(), 0xDDDDDDDDEEEEEEEEull);
  EXPECT_EQ(sr->rtpTimestamp(), 90000u);
  EXPECT_EQ(sr->packetCount(), 100u);
  EXPECT_EQ(sr->octetCount(), 10000u);
  ASSERT_EQ(sr->reportCount(), 1u);
  expectReportBlock(sr->reportBlock(0));
  ++it;
  auto sdes = SdesView::parse(*it);
  ASSERT_TRUE(sdes.ok());
  EXPECT_EQ(sdes->chunkCount(), 1u);
  std::string cname;
  sdes->forEachItem([&](uint32_t ssrc, uint8_t type, std::string_view text) {
    EXPECT_EQ(ssrc, 0x11223344u);
    if (type == SdesView::kCname) {
      cname = text;
    }
  });
  EXPECT_EQ(cname, "abcd");
  ++it;
  EXPECT_TRUE(it == c->end());
}

TEST(RtcpCompound, ReceiverReportPlusNack) {
  const Bytes b = concat({kReceiverReport, kNack});
  auto c = RtcpCompoundView::parse(b);
  ASSERT_TRUE(c.ok());
  auto it = c->begin();
  auto rr = ReceiverReportView::parse(*it);
  ASSERT_TRUE(rr.ok());
  EXPECT_EQ(rr->senderSsrc(), 0x11223344u);
  ASSERT_EQ(rr->reportCount(), 1u);
  expectReportBlock(rr->reportBlock(0));
  EXPECT_FALSE(SenderReportView::parse(*it).ok());
  ++it;
  ASSERT_EQ((*it).kind(), RtcpKind::kGenericNack);
  auto nack = GenericNackView::parse(*it);
  ASSERT_TRUE(nack.ok());
  EXPECT_EQ(nack->senderSsrc(), 0x11223344u);
  EXPECT_EQ(nack->mediaSsrc(), 0x99887766u);
  ASSERT_EQ(nack->pairCount(), 2u);
  EXPECT_EQ(nack->pair(0), (NackPair{100, 0x8001}));
  uint16_t seqs[16];
  const size_t n = nack->expand(seqs);
  EXPECT_EQ(std::vector<uint16_t>(seqs, seqs + n), (std::vector<uint16_t>{100, 101, 116, 65535, 0, 1}));
  uint16_t two[2];
  EXPECT_EQ(nack->expand(two), 2u);
}

TEST(RtcpCompound, PliFirRembByeAndUnknown) {
  const Bytes b = concat({kReceiverReport, kXr, kPli, kFir, kRemb, kBye});
  auto c = RtcpCompoundView::parse(b);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(kinds(*c), (std::vector<RtcpKind>{RtcpKind::kReceiverReport, RtcpKind::kUnknown, RtcpKind::kPli,
                                              RtcpKind::kFir, RtcpKind::kRemb, RtcpKind::kBye}));
  for (const RtcpPacketView p : *c) {
    switch (p.kind()) {
      case RtcpKind::kPli: {
        auto pli = PliView::parse(p);
        ASSERT_TRUE(pli.ok());
        EXPECT_EQ(pli->senderSsrc(), 0x11223344u);
        EXPECT_EQ(pli->mediaSsrc(), 0x99887766u);
        break;
      }
      case RtcpKind::kFir: {
        auto fir = FirView::parse(p);
        ASSERT_TRUE(fir.ok());
        ASSERT_EQ(fir->entryCount(), 1u);
        EXPECT_EQ(fir->entry(0), (FirEntry{0x99887766u, 7}));
        break;
      }
      case RtcpKind::kRemb: {
        auto remb = RembView::parse(p);
        ASSERT_TRUE(remb.ok());
        EXPECT_EQ(remb->bitrateBps(), 1000000u);
        ASSERT_EQ(remb->ssrcCount(), 1u);
        EXPECT_EQ(remb->ssrc(0), 0x99887766u);
        break;
      }
      case RtcpKind::kBye: {
        auto bye = ByeView::parse(p);
        ASSERT_TRUE(bye.ok());
        ASSERT_EQ(bye->sourceCount(), 1u);
        EXPECT_EQ(bye->ssrc(0), 0x11223344u);
        EXPECT_EQ(bye->reason(), "done");
        break;
      }
      default: break;
    }
  }
}

TEST(RtcpCompound, PaddingIsStrippedFromBody) {
  // RR without blocks, P set, 4 padding bytes.
  const Bytes b = {0xA0, 0xC9, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x04};
  auto c = RtcpCompoundView::parse(b);
  ASSERT_TRUE(c.ok());
  const RtcpPacketView p = *c->begin();
  EXPECT_EQ(p.body().size(), 4u);
  EXPECT_EQ(p.bytes().size(), 12u);
  auto rr = ReceiverReportView::parse(p);
  ASSERT_TRUE(rr.ok());
  EXPECT_EQ(rr->reportCount(), 0u);
}

TEST(RtcpCompound, RejectsBrokenHeaders) {
  EXPECT_EQ(RtcpCompoundView::parse(Bytes{}).error(), RtcpError::kTooShort);
  EXPECT_EQ(RtcpCompoundView::parse(Bytes{0x80, 0xC9, 0x00}).error(), RtcpError::kTooShort);
  Bytes v1 = kPli;
  v1[0] = 0x41;
  EXPECT_EQ(RtcpCompoundView::parse(v1).error(), RtcpError::kBadVersion);
  Bytes tooLong = kPli;
  tooLong[3] = 0x03;
  EXPECT_EQ(RtcpCompoundView::parse(tooLong).error(), RtcpError::kBadLength);
  // A valid packet followed by 2 stray bytes.
  Bytes trailing = concat({kPli, {0x80, 0xC9}});
  EXPECT_EQ(RtcpCompoundView::parse(trailing).error(), RtcpError::kTooShort);
  Bytes zeroPad = {0xA0, 0xC9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x00};
  EXPECT_EQ(RtcpCompoundView::parse(zeroPad).error(), RtcpError::kBadPadding);
  Bytes hugePad = {0xA0, 0xC9, 0x00, 0x01, 0x11, 0x22, 0x33, 0x09};
  EXPECT_EQ(RtcpCompoundView::parse(hugePad).error(), RtcpError::kBadPadding);
}

TEST(RtcpCompound, EveryTruncationIsRejected) {
  const Bytes b = concat({kSenderReport, kSdesCname, kNack, kRemb});
  for (size_t n = 0; n < b.size(); ++n) {
    const Bytes prefix(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
    const bool atBoundary = n == kSenderReport.size() || n == kSenderReport.size() + kSdesCname.size() ||
                            n == kSenderReport.size() + kSdesCname.size() + kNack.size();
    EXPECT_EQ(RtcpCompoundView::parse(prefix).ok(), atBoundary) << n;
  }
}

TEST(RtcpTypedViews, RejectShortBodies) {
  // SR announcing 2 report blocks but carrying 1.
  Bytes sr = kSenderReport;
  sr[0] = 0x82;
  auto c = RtcpCompoundView::parse(sr);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(SenderReportView::parse(*c->begin()).error(), RtcpError::kTooShort);
  // NACK without any FCI.
  const Bytes nack = {0x81, 0xCD, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x99, 0x88, 0x77, 0x66};
  EXPECT_EQ(GenericNackView::parse(*RtcpCompoundView::parse(nack)->begin()).error(), RtcpError::kTooShort);
  // REMB claiming 2 SSRCs with room for 1.
  Bytes remb = kRemb;
  remb[16] = 2;
  EXPECT_EQ(RembView::parse(*RtcpCompoundView::parse(remb)->begin()).error(), RtcpError::kMalformed);
  // SDES whose item runs past the packet.
  Bytes sdes = kSdesCname;
  sdes[9] = 10;
  EXPECT_EQ(SdesView::parse(*RtcpCompoundView::parse(sdes)->begin()).error(), RtcpError::kMalformed);
  // BYE reason longer than the packet.
  Bytes bye = kBye;
  bye[8] = 9;
  EXPECT_EQ(ByeView::parse(*RtcpCompoundView::parse(bye)->begin()).error(), RtcpError::kMalformed);
  // PLI is not a FIR.
  EXPECT_EQ(FirView::parse(*RtcpCompoundView::parse(kPli)->begin()).error(), RtcpError::kWrongType);
}

TEST(RtcpTypedViews, CumulativeLostSignExtends) {
  Bytes block = kReportBlock;
  block[5] = 0x7F;
  block[6] = 0xFF;
  block[7] = 0xFF;
  EXPECT_EQ(readReportBlock(block.data()).cumulativeLost, 0x7FFFFF);
  block[5] = 0x80;
  block[6] = 0x00;
  block[7] = 0x00;
  EXPECT_EQ(readReportBlock(block.data()).cumulativeLost, -0x800000);
}

}  // namespace
}  // namespace medrtc::rtp
