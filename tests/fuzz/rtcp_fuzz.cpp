// libFuzzer target for the RTCP views (src/rtp/): walk a compound packet, parse every
// packet with every typed view (wrong types must fail cleanly), read every field and
// expand NACKs. The same bytes also drive the transport-cc feedback generator as
// (sequence number, arrival delta) pairs; every feedback packet it writes must parse back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "rtp/rtcp_feedback.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_reports.hpp"
#include "rtp/transport_cc.hpp"
#include "rtp/transport_cc_generator.hpp"

using namespace medrtc;
using namespace medrtc::rtp;

namespace {

volatile uint64_t sink;

void touchBlock(const ReportBlock& b) {
  sink = sink + b.ssrc + b.fractionLost + static_cast<uint32_t>(b.cumulativeLost) + b.extendedHighestSequence + b.jitter +
         b.lastSr + b.delaySinceLastSr;
}

void touchPacket(const RtcpPacketView& p) {
  sink = sink + static_cast<uint8_t>(p.kind()) + p.countOrFormat() + p.lengthField() + p.body().size();
  if (auto sr = SenderReportView::parse(p); sr.ok()) {
    sink = sink + sr->senderSsrc() + sr->ntpTimestamp() + sr->rtpTimestamp() + sr->packetCount() + sr->octetCount();
    for (size_t i = 0; i < sr->reportCount(); ++i) {
      touchBlock(sr->reportBlock(i));
    }
  }
  if (auto rr = ReceiverReportView::parse(p); rr.ok()) {
    sink = sink + rr->senderSsrc();
    for (size_t i = 0; i < rr->reportCount(); ++i) {
      touchBlock(rr->reportBlock(i));
    }
  }
  if (auto sdes = SdesView::parse(p); sdes.ok()) {
    sdes->forEachItem([](uint32_t ssrc, uint8_t type, std::string_view text) {
      sink = sink + ssrc + type + text.size() + (text.empty() ? 0 : static_cast<uint8_t>(text.back()));
    });
  }
  if (auto bye = ByeView::parse(p); bye.ok()) {
    for (size_t i = 0; i < bye->sourceCount(); ++i) {
      sink = sink + bye->ssrc(i);
    }
    sink = sink + bye->reason().size() + (bye->reason().empty() ? 0 : static_cast<uint8_t>(bye->reason().back()));
  }
  if (auto nack = GenericNackView::parse(p); nack.ok()) {
    sink = sink + nack->senderSsrc() + nack->mediaSsrc();
    uint16_t seqs[64];
    sink = sink + nack->expand(seqs);
    nack->forEachSequenceNumber([](uint16_t s) { sink = sink + s; });
  }
  if (auto pli = PliView::parse(p); pli.ok()) {
    sink = sink + pli->senderSsrc() + pli->mediaSsrc();
  }
  if (auto fir = FirView::parse(p); fir.ok()) {
    for (size_t i = 0; i < fir->entryCount(); ++i) {
      sink = sink + fir->entry(i).ssrc + fir->entry(i).sequenceNumber;
    }
  }
  if (auto remb = RembView::parse(p); remb.ok()) {
    sink = sink + remb->senderSsrc() + remb->bitrateBps();
    for (size_t i = 0; i < remb->ssrcCount(); ++i) {
      sink = sink + remb->ssrc(i);
    }
  }
  if (auto cc = TransportCcFeedbackView::parse(p); cc.ok()) {
    sink = sink + cc->senderSsrc() + cc->mediaSsrc() + cc->referenceTime() + cc->feedbackPacketCount();
    size_t seen = 0;
    cc->forEachPacket([&](uint16_t seq, bool received, int64_t at) {
      sink = sink + seq + received + static_cast<uint64_t>(at);
      ++seen;
    });
    if (seen != cc->packetStatusCount()) {
      std::abort();
    }
  }
}

void driveGenerator(const uint8_t* data, size_t size) {
  TransportCcFeedbackGenerator generator(size > 0 && (data[0] & 1) ? 200 : 1200);
  int64_t now = 0;
  uint8_t out[1500];
  for (size_t i = 0; i + 4 <= size; i += 4) {
    const uint16_t seq = static_cast<uint16_t>((data[i] << 8) | data[i + 1]);
    // Mostly forward time steps, sometimes huge jumps, occasionally backwards.
    const auto step = static_cast<int16_t>((data[i + 2] << 8) | data[i + 3]);
    now += int64_t{step} * ((step & 7) == 7 ? 1000 : 10);
    generator.onPacket(seq, now);
    if ((data[i + 3] & 0x3F) == 0) {
      while (const size_t n = generator.buildFeedback(out, 1, 2)) {
        auto c = RtcpCompoundView::parse(ByteView(out, n));
        if (!c.ok() || c->packetCount() != 1 || !TransportCcFeedbackView::parse(*c->begin()).ok()) {
          std::abort();
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto compound = RtcpCompoundView::parse(ByteView(data, size));
  if (compound.ok()) {
    size_t count = 0;
    for (const RtcpPacketView p : *compound) {
      touchPacket(p);
      ++count;
    }
    if (count != compound->packetCount()) {
      std::abort();
    }
  } else {
    (void)toString(compound.error());
  }
  // What the SFU reads (Participant::readCompound): the packets before the first bad one.
  auto salvaged = RtcpCompoundView::salvage(ByteView(data, size));
  if (salvaged.ok()) {
    size_t count = 0;
    for (const RtcpPacketView p : *salvaged) {
      touchPacket(p);
      ++count;
    }
    if (count != salvaged->packetCount() || salvaged->bytes().size() + salvaged->droppedBytes() != size ||
        (compound.ok() && salvaged->droppedBytes() != 0)) {
      std::abort();
    }
  }
  // Bounded so one input stays cheap and the fuzzer keeps its pace.
  driveGenerator(data, size < 256 ? size : 256);
  return 0;
}
