// Hot-path costs of src/rtp/: parsing a received RTP packet and rewriting SSRC/seq for a
// consumer (done once per packet per subscriber), reading the transport-cc extension,
// walking a typical compound RTCP packet, and recording arrivals for transport-cc feedback.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtp/rtcp_feedback.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_reports.hpp"
#include "rtp/rtcp_writer.hpp"
#include "rtp/rtp_packet_builder.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "rtp/transport_cc_generator.hpp"

namespace {

using namespace medrtc;
using namespace medrtc::rtp;

std::vector<uint8_t> videoPacket() {
  const uint8_t mid[] = {'0'};
  const uint8_t twcc[] = {0x12, 0x34};
  const uint8_t abs[] = {1, 2, 3};
  std::vector<uint8_t> payload(1100 - 12 - 4 - 12, 0xAB);
  std::vector<uint8_t> out(1500);
  RtpPacketBuilder b;
  b.payloadType(96).sequenceNumber(1000).timestamp(90000).ssrc(0x11223344);
  b.addExtension(1, mid).addExtension(3, twcc).addExtension(2, abs);
  out.resize(*b.write(out, payload));
  return out;
}

void BM_RtpParseAndRewrite(benchmark::State& state) {
  std::vector<uint8_t> packet = videoPacket();
  uint16_t seq = 0;
  for (auto _ : state) {
    auto p = RtpPacketView::parse(packet);
    p->setSsrc(0xCAFEBABE);
    p->setSequenceNumber(seq++);
    benchmark::DoNotOptimize(p->payload().size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * packet.size()));
}
BENCHMARK(BM_RtpParseAndRewrite);

void BM_RtpParseReadTransportSeq(benchmark::State& state) {
  std::vector<uint8_t> packet = videoPacket();
  for (auto _ : state) {
    auto p = RtpPacketView::parse(packet);
    benchmark::DoNotOptimize(p->transportSequenceNumber(3));
    benchmark::DoNotOptimize(p->mid(1));
  }
}
BENCHMARK(BM_RtpParseReadTransportSeq);

std::vector<uint8_t> compoundRtcp() {
  std::vector<uint8_t> out(512);
  size_t n = 0;
  const ReportBlock blocks[] = {{1, 2, 3, 4, 5, 6, 7}, {8, 9, 10, 11, 12, 13, 14}};
  n += writeReceiverReport(MutableByteView(out).subspan(n), 0x11223344, blocks);
  n += writeSdesCname(MutableByteView(out).subspan(n), 0x11223344, "abcdefgh12345678");
  const uint16_t lost[] = {100, 101, 105, 140, 141};
  n += writeGenericNack(MutableByteView(out).subspan(n), 0x11223344, 0x55667788, lost);
  n += writePli(MutableByteView(out).subspan(n), 0x11223344, 0x55667788);
  const uint32_t ssrcs[] = {0x55667788};
  n += writeRemb(MutableByteView(out).subspan(n), 0x11223344, 2'500'000, ssrcs);
  out.resize(n);
  return out;
}

void BM_RtcpCompoundParse(benchmark::State& state) {
  const std::vector<uint8_t> packet = compoundRtcp();
  for (auto _ : state) {
    auto c = RtcpCompoundView::parse(packet);
    uint64_t sum = 0;
    for (const RtcpPacketView p : *c) {
      switch (p.kind()) {
        case RtcpKind::kReceiverReport: {
          auto rr = ReceiverReportView::parse(p);
          for (size_t i = 0; i < rr->reportCount(); ++i) {
            sum += rr->reportBlock(i).jitter;
          }
          break;
        }
        case RtcpKind::kGenericNack:
          GenericNackView::parse(p)->forEachSequenceNumber([&](uint16_t s) { sum += s; });
          break;
        case RtcpKind::kPli: sum += PliView::parse(p)->mediaSsrc(); break;
        case RtcpKind::kRemb: sum += RembView::parse(p)->bitrateBps(); break;
        default: break;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_RtcpCompoundParse);

void BM_TransportCcRecordAndBuild(benchmark::State& state) {
  // 100 packets per feedback interval, one lost in 20.
  TransportCcFeedbackGenerator g;
  std::array<uint8_t, 1500> out{};
  uint16_t seq = 0;
  int64_t now = 0;
  for (auto _ : state) {
    for (int i = 0; i < 100; ++i) {
      now += 900;
      if (seq % 20 != 7) {
        g.onPacket(seq, now);
      }
      ++seq;
    }
    while (g.buildFeedback(out, 1, 2) != 0) {
    }
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_TransportCcRecordAndBuild);

}  // namespace
