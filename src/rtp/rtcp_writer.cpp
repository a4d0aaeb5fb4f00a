#include "rtp/rtcp_writer.hpp"

#include <algorithm>
#include <cstring>

namespace medrtc::rtp {
namespace {

constexpr size_t kMaxCount = 31;  // 5-bit RC/SC field

}  // namespace

void writeRtcpHeader(uint8_t* p, uint8_t countOrFormat, uint8_t packetType, size_t size) {
  p[0] = static_cast<uint8_t>(0x80 | (countOrFormat & 0x1F));
  p[1] = packetType;
  writeU16(p + 2, static_cast<uint16_t>(size / 4 - 1));
}

size_t writeSenderReport(MutableByteView out, const SenderInfo& info, std::span<const ReportBlock> blocks) {
  const size_t count = std::min(blocks.size(), kMaxCount);
  const size_t size = kRtcpHeaderSize + 24 + kReportBlockSize * count;
  if (out.size() < size) {
    return 0;
  }
  uint8_t* p = out.data();
  writeRtcpHeader(p, static_cast<uint8_t>(count), rtcp_type::kSenderReport, size);
  writeU32(p + 4, info.ssrc);
  writeU64(p + 8, info.ntpTimestamp);
  writeU32(p + 16, info.rtpTimestamp);
  writeU32(p + 20, info.packetCount);
  writeU32(p + 24, info.octetCount);
  for (size_t i = 0; i < count; ++i) {
    writeReportBlock(p + 28 + kReportBlockSize * i, blocks[i]);
  }
  return size;
}

size_t writeReceiverReport(MutableByteView out, uint32_t senderSsrc, std::span<const ReportBlock> blocks) {
  const size_t count = std::min(blocks.size(), kMaxCount);
  const size_t size = kRtcpHeaderSize + 4 + kReportBlockSize * count;
  if (out.size() < size) {
    return 0;
  }
  uint8_t* p = out.data();
  writeRtcpHeader(p, static_cast<uint8_t>(count), rtcp_type::kReceiverReport, size);
  writeU32(p + 4, senderSsrc);
  for (size_t i = 0; i < count; ++i) {
    writeReportBlock(p + 8 + kReportBlockSize * i, blocks[i]);
  }
  return size;
}

size_t writeSdesCname(MutableByteView out, uint32_t ssrc, std::string_view cname) {
  if (cname.size() > 255) {
    return 0;
  }
  // header, SSRC, item (type, length, text), then a null octet padded to 32 bits.
  const size_t items = 2 + cname.size() + 1;
  const size_t size = kRtcpHeaderSize + 4 + (items + 3) / 4 * 4;
  if (out.size() < size) {
    return 0;
  }
  uint8_t* p = out.data();
  std::memset(p, 0, size);
  writeRtcpHeader(p, 1, rtcp_type::kSdes, size);
  writeU32(p + 4, ssrc);
  p[8] = SdesView::kCname;
  p[9] = static_cast<uint8_t>(cname.size());
  std::memcpy(p + 10, cname.data(), cname.size());
  return size;
}

size_t writeBye(MutableByteView out, std::span<const uint32_t> ssrcs) {
  const size_t count = std::min(ssrcs.size(), kMaxCount);
  const size_t size = kRtcpHeaderSize + 4 * count;
  if (out.size() < size) {
    return 0;
  }
  writeRtcpHeader(out.data(), static_cast<uint8_t>(count), rtcp_type::kBye, size);
  for (size_t i = 0; i < count; ++i) {
    writeU32(out.data() + 4 + 4 * i, ssrcs[i]);
  }
  return size;
}

size_t packNackPairs(std::span<const uint16_t> lost, std::span<NackPair> out) {
  size_t n = 0;
  for (const uint16_t seq : lost) {
    if (n > 0) {
      NackPair& last = out[n - 1];
      const auto diff = static_cast<uint16_t>(seq - last.pid);
      if (diff == 0) {
        continue;
      }
      if (diff <= 16) {
        last.blp = static_cast<uint16_t>(last.blp | (1u << (diff - 1)));
        continue;
      }
    }
    if (n == out.size()) {
      return n;
    }
    out[n++] = NackPair{seq, 0};
  }
  return n;
}

size_t writeGenericNack(MutableByteView out, uint32_t senderSsrc, uint32_t mediaSsrc, std::span<const uint16_t> lost) {
  if (lost.empty() || out.size() < kRtcpHeaderSize + kFeedbackHeaderSize + 4) {
    return 0;
  }
  // Pack the pairs straight into the FCI area, closing a pair when the next number is
  // more than 16 past its PID.
  uint8_t* p = out.data();
  const size_t maxPairs = std::min<size_t>((out.size() - kRtcpHeaderSize - kFeedbackHeaderSize) / 4, 0x3FFF);
  size_t n = 0;
  uint16_t pid = 0;
  uint16_t blp = 0;
  auto flush = [&]() {
    uint8_t* fci = p + kRtcpHeaderSize + kFeedbackHeaderSize + 4 * n;
    writeU16(fci, pid);
    writeU16(fci + 2, blp);
    ++n;
  };
  bool open = false;
  for (const uint16_t seq : lost) {
    if (open) {
      const auto diff = static_cast<uint16_t>(seq - pid);
      if (diff == 0) {
        continue;
      }
      if (diff <= 16) {
        blp = static_cast<uint16_t>(blp | (1u << (diff - 1)));
        continue;
      }
      if (n + 2 > maxPairs) {
        return 0;  // the pair after this one would not fit
      }
      flush();
    }
    pid = seq;
    blp = 0;
    open = true;
  }
  flush();
  const size_t size = kRtcpHeaderSize + kFeedbackHeaderSize + 4 * n;
  writeRtcpHeader(p, rtcp_fmt::kGenericNack, rtcp_type::kRtpfb, size);
  writeU32(p + 4, senderSsrc);
  writeU32(p + 8, mediaSsrc);
  return size;
}

size_t writePli(MutableByteView out, uint32_t senderSsrc, uint32_t mediaSsrc) {
  constexpr size_t size = kRtcpHeaderSize + kFeedbackHeaderSize;
  if (out.size() < size) {
    return 0;
  }
  writeRtcpHeader(out.data(), rtcp_fmt::kPli, rtcp_type::kPsfb, size);
  writeU32(out.data() + 4, senderSsrc);
  writeU32(out.data() + 8, mediaSsrc);
  return size;
}

size_t writeFir(MutableByteView out, uint32_t senderSsrc, std::span<const FirEntry> entries) {
  const size_t size = kRtcpHeaderSize + kFeedbackHeaderSize + 8 * entries.size();
  if (entries.empty() || out.size() < size || size / 4 - 1 > 0xFFFF) {
    return 0;
  }
  uint8_t* p = out.data();
  writeRtcpHeader(p, rtcp_fmt::kFir, rtcp_type::kPsfb, size);
  writeU32(p + 4, senderSsrc);
  writeU32(p + 8, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    uint8_t* fci = p + 12 + 8 * i;
    writeU32(fci, entries[i].ssrc);
    fci[4] = entries[i].sequenceNumber;
    fci[5] = fci[6] = fci[7] = 0;
  }
  return size;
}

size_t writeRemb(MutableByteView out, uint32_t senderSsrc, uint64_t bitrateBps, std::span<const uint32_t> ssrcs) {
  const size_t count = std::min<size_t>(ssrcs.size(), 255);
  const size_t size = kRtcpHeaderSize + kFeedbackHeaderSize + 8 + 4 * count;
  if (out.size() < size) {
    return 0;
  }
  uint8_t exp = 0;
  while ((bitrateBps >> exp) > 0x3FFFF) {
    ++exp;
  }
  const auto mantissa = static_cast<uint32_t>(bitrateBps >> exp);
  uint8_t* p = out.data();
  writeRtcpHeader(p, rtcp_fmt::kAfb, rtcp_type::kPsfb, size);
  writeU32(p + 4, senderSsrc);
  writeU32(p + 8, 0);  // media SSRC is unused for REMB
  p[12] = 'R';
  p[13] = 'E';
  p[14] = 'M';
  p[15] = 'B';
  p[16] = static_cast<uint8_t>(count);
  writeU24(p + 17, (uint32_t{exp} << 18) | mantissa);
  for (size_t i = 0; i < count; ++i) {
    writeU32(p + 20 + 4 * i, ssrcs[i]);
  }
  return size;
}

}  // namespace medrtc::rtp
