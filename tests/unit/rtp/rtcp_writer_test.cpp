#include "rtp/rtcp_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "rtp/rtcp_packet.hpp"

namespace medrtc::rtp {
namespace {

RtcpPacketView only(ByteView b) {
  auto c = RtcpCompoundView::parse(b);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c->packetCount(), 1u);
  return *c->begin();
}

const ReportBlock kBlock{0x55667788, 0x40, -2, 65541, 16, 0xABCDEF01, 65536};

TEST(RtcpWriter, ReceiverReportMatchesHandBytes) {
  uint8_t buf[64];
  const ReportBlock blocks[] = {kBlock};
  const size_t n = writeReceiverReport(buf, 0x11223344, blocks);
  ASSERT_EQ(n, 32u);
  const std::vector<uint8_t> expected = {0x81, 0xC9, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                         0x88, 0x40, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00,
                                         0x00, 0x10, 0xAB, 0xCD, 0xEF, 0x01, 0x00, 0x01, 0x00, 0x00};
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + n), expected);
  EXPECT_EQ(writeReceiverReport(MutableByteView(buf, 31), 1, blocks), 0u);
}

TEST(RtcpWriter, SenderReportPlusSdesCompoundRoundTrip) {
  uint8_t buf[256];
  const ReportBlock blocks[] = {kBlock, ReportBlock{1, 2, 3, 4, 5, 6, 7}};
  SenderInfo info{0x11223344, 0xE1234567'89ABCDEFull, 123456, 1000, 900000};
  size_t n = writeSenderReport(buf, info, blocks);
  ASSERT_EQ(n, 4u + 24 + 48);
  const size_t sdes = writeSdesCname(MutableByteView(buf).subspan(n), 0x11223344, "medrtc-cname");
  ASSERT_GT(sdes, 0u);
  EXPECT_EQ(sdes % 4, 0u);
  n += sdes;
  auto c = RtcpCompoundView::parse(ByteView(buf, n));
  ASSERT_TRUE(c.ok());
  auto it = c->begin();
  auto sr = SenderReportView::parse(*it);
  ASSERT_TRUE(sr.ok());
  EXPECT_EQ(sr->ntpTimestamp(), info.ntpTimestamp);
  EXPECT_EQ(sr->rtpTimestamp(), 123456u);
  EXPECT_EQ(sr->packetCount(), 1000u);
  EXPECT_EQ(sr->octetCount(), 900000u);
  ASSERT_EQ(sr->reportCount(), 2u);
  EXPECT_EQ(sr->reportBlock(0), kBlock);
  EXPECT_EQ(sr->reportBlock(1), blocks[1]);
  ++it;
  auto s = SdesView::parse(*it);
  ASSERT_TRUE(s.ok());
  std::string cname;
  s->forEachItem([&](uint32_t, uint8_t type, std::string_view text) { cname = text; });
  EXPECT_EQ(cname, "medrtc-cname");
}

TEST(RtcpWriter, SdesPadsWithAtLeastOneNull) {
  // 2 + 2 bytes of item = 4: the null octet then needs a whole extra word.
  uint8_t buf[32];
  const size_t n = writeSdesCname(buf, 1, "ab");
  EXPECT_EQ(n, 16u);
  EXPECT_EQ(buf[12], 0);
  EXPECT_TRUE(SdesView::parse(only(ByteView(buf, n))).ok());
}

TEST(RtcpWriter, ReportBlockClampsCumulativeLost) {
  uint8_t raw[24];
  ReportBlock b = kBlock;
  b.cumulativeLost = 50'000'000;
  writeReportBlock(raw, b);
  EXPECT_EQ(readReportBlock(raw).cumulativeLost, 0x7FFFFF);
  b.cumulativeLost = -50'000'000;
  writeReportBlock(raw, b);
  EXPECT_EQ(readReportBlock(raw).cumulativeLost, -0x800000);
}

std::vector<uint16_t> roundTripNack(const std::vector<uint16_t>& lost, size_t* pairs = nullptr) {
  uint8_t buf[1500];
  const size_t n = writeGenericNack(buf, 1, 2, lost);
  EXPECT_GT(n, 0u);
  auto nack = GenericNackView::parse(only(ByteView(buf, n)));
  EXPECT_TRUE(nack.ok());
  if (pairs != nullptr) {
    *pairs = nack->pairCount();
  }
  std::vector<uint16_t> out;
  nack->forEachSequenceNumber([&](uint16_t s) { out.push_back(s); });
  return out;
}

TEST(RtcpWriter, NackPacksPidAndBlp) {
  size_t pairs = 0;
  EXPECT_EQ(roundTripNack({100, 101, 116}, &pairs), (std::vector<uint16_t>{100, 101, 116}));
  EXPECT_EQ(pairs, 1u);
  // 117 is 17 past the PID: it needs a second pair.
  EXPECT_EQ(roundTripNack({100, 117}, &pairs), (std::vector<uint16_t>{100, 117}));
  EXPECT_EQ(pairs, 2u);
  // Across wraparound in one pair.
  EXPECT_EQ(roundTripNack({65534, 65535, 0, 5}, &pairs), (std::vector<uint16_t>{65534, 65535, 0, 5}));
  EXPECT_EQ(pairs, 1u);
  // Duplicates folded.
  EXPECT_EQ(roundTripNack({7, 7, 8}, &pairs), (std::vector<uint16_t>{7, 8}));
}

TEST(RtcpWriter, NackRoundTripsManyRuns) {
  std::vector<uint16_t> lost;
  for (uint32_t s = 65000; s < 65000 + 2000; s += 3) {
    lost.push_back(static_cast<uint16_t>(s));
  }
  EXPECT_EQ(roundTripNack(lost), lost);
  NackPair pairs[400];
  const size_t n = packNackPairs(lost, pairs);
  EXPECT_EQ(n, (lost.size() + 5) / 6);  // 6 numbers (span 15) per pair
  EXPECT_EQ(pairs[0], (NackPair{65000, 0b10010010010'0100}));
}

TEST(RtcpWriter, NackRefusesWhatDoesNotFit) {
  uint8_t buf[16];
  const std::vector<uint16_t> one = {1};
  EXPECT_EQ(writeGenericNack(buf, 1, 2, one), 16u);
  const std::vector<uint16_t> two = {1, 100};
  EXPECT_EQ(writeGenericNack(buf, 1, 2, two), 0u);
  EXPECT_EQ(writeGenericNack(buf, 1, 2, {}), 0u);
}

TEST(RtcpWriter, PliFirRemb) {
  uint8_t buf[64];
  size_t n = writePli(buf, 0x11223344, 0x99887766);
  const std::vector<uint8_t> pli = {0x81, 0xCE, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x99, 0x88, 0x77, 0x66};
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + n), pli);

  const FirEntry entries[] = {{0x99887766, 7}, {0x01020304, 255}};
  n = writeFir(buf, 0x11223344, entries);
  auto fir = FirView::parse(only(ByteView(buf, n)));
  ASSERT_TRUE(fir.ok());
  ASSERT_EQ(fir->entryCount(), 2u);
  EXPECT_EQ(fir->entry(0), entries[0]);
  EXPECT_EQ(fir->entry(1), entries[1]);

  const uint32_t ssrcs[] = {0x99887766};
  n = writeRemb(buf, 0x11223344, 1'000'000, ssrcs);
  const std::vector<uint8_t> remb = {0x8F, 0xCE, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00,
                                     'R',  'E',  'M',  'B',  0x01, 0x0B, 0xD0, 0x90, 0x99, 0x88, 0x77, 0x66};
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + n), remb);
}

TEST(RtcpWriter, RembRoundsDownLargeBitrates) {
  uint8_t buf[64];
  for (uint64_t bps : {0ull, 1ull, 262143ull, 262144ull, 2'500'000ull, 123'456'789'012ull}) {
    const size_t n = writeRemb(buf, 1, bps, {});
    auto remb = RembView::parse(only(ByteView(buf, n)));
    ASSERT_TRUE(remb.ok());
    EXPECT_LE(remb->bitrateBps(), bps);
    // 18 significant bits: the error is below 2^-17 of the value.
    EXPECT_GE(remb->bitrateBps(), bps - bps / 131072);
  }
}

TEST(RtcpWriter, ByeRoundTrip) {
  uint8_t buf[64];
  const uint32_t ssrcs[] = {1, 2, 3};
  const size_t n = writeBye(buf, ssrcs);
  auto bye = ByeView::parse(only(ByteView(buf, n)));
  ASSERT_TRUE(bye.ok());
  ASSERT_EQ(bye->sourceCount(), 3u);
  EXPECT_EQ(bye->ssrc(2), 3u);
  EXPECT_TRUE(bye->reason().empty());
}

}  // namespace
}  // namespace medrtc::rtp
