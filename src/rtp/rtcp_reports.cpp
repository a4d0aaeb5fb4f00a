#include "rtp/rtcp_reports.hpp"

namespace medrtc::rtp {

ReportBlock readReportBlock(const uint8_t* p) {
  ReportBlock b;
  b.ssrc = readU32(p);
  b.fractionLost = p[4];
  // Sign-extend the 24-bit cumulative number of packets lost.
  const uint32_t raw = readU24(p + 5);
  b.cumulativeLost = (raw & 0x800000) != 0 ? static_cast<int32_t>(raw | 0xFF000000u) : static_cast<int32_t>(raw);
  b.extendedHighestSequence = readU32(p + 8);
  b.jitter = readU32(p + 12);
  b.lastSr = readU32(p + 16);
  b.delaySinceLastSr = readU32(p + 20);
  return b;
}

void writeReportBlock(uint8_t* p, const ReportBlock& b) {
  writeU32(p, b.ssrc);
  p[4] = b.fractionLost;
  // RFC 3550 §6.4.1: clamp to the 24-bit signed range rather than wrap.
  int32_t lost = b.cumulativeLost;
  if (lost > 0x7FFFFF) {
    lost = 0x7FFFFF;
  } else if (lost < -0x800000) {
    lost = -0x800000;
  }
  writeU24(p + 5, static_cast<uint32_t>(lost) & 0xFFFFFF);
  writeU32(p + 8, b.extendedHighestSequence);
  writeU32(p + 12, b.jitter);
  writeU32(p + 16, b.lastSr);
  writeU32(p + 20, b.delaySinceLastSr);
}

Result<SenderReportView, RtcpError> SenderReportView::parse(const RtcpPacketView& packet) {
  if (packet.packetType() != rtcp_type::kSenderReport) {
    return fail(RtcpError::kWrongType);
  }
  // RFC 3550 §6.4.1: SSRC + 20 bytes sender info + RC report blocks (profile extensions may follow).
  const size_t count = packet.countOrFormat();
  const ByteView body = packet.body();
  if (body.size() < 24 + kReportBlockSize * count) {
    return fail(RtcpError::kTooShort);
  }
  return SenderReportView(body, count);
}

Result<ReceiverReportView, RtcpError> ReceiverReportView::parse(const RtcpPacketView& packet) {
  if (packet.packetType() != rtcp_type::kReceiverReport) {
    return fail(RtcpError::kWrongType);
  }
  const size_t count = packet.countOrFormat();
  const ByteView body = packet.body();
  if (body.size() < 4 + kReportBlockSize * count) {
    return fail(RtcpError::kTooShort);
  }
  return ReceiverReportView(body, count);
}

Result<SdesView, RtcpError> SdesView::parse(const RtcpPacketView& packet) {
  if (packet.packetType() != rtcp_type::kSdes) {
    return fail(RtcpError::kWrongType);
  }
  auto ignore = [](uint32_t, uint8_t, std::string_view) {};
  if (!walk(packet.body(), packet.countOrFormat(), ignore)) {
    return fail(RtcpError::kMalformed);
  }
  return SdesView(packet.body(), packet.countOrFormat());
}

Result<ByeView, RtcpError> ByeView::parse(const RtcpPacketView& packet) {
  if (packet.packetType() != rtcp_type::kBye) {
    return fail(RtcpError::kWrongType);
  }
  const size_t count = packet.countOrFormat();
  const ByteView body = packet.body();
  if (body.size() < 4 * count) {
    return fail(RtcpError::kTooShort);
  }
  // RFC 3550 §6.6: an optional length-prefixed reason follows the SSRC list.
  std::string_view reason;
  const size_t offset = 4 * count;
  if (offset < body.size()) {
    const size_t length = body[offset];
    if (offset + 1 + length > body.size()) {
      return fail(RtcpError::kMalformed);
    }
    reason = std::string_view(reinterpret_cast<const char*>(&body[offset + 1]), length);
  }
  return ByeView(body, count, reason);
}

}  // namespace medrtc::rtp
