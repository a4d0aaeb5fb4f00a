#include "rtp/rtcp_feedback.hpp"

#include <limits>

namespace medrtc::rtp {

size_t GenericNackView::expand(std::span<uint16_t> out) const {
  size_t n = 0;
  forEachSequenceNumber([&](uint16_t seq) {
    if (n < out.size()) {
      out[n++] = seq;
    }
  });
  return n;
}

Result<GenericNackView, RtcpError> GenericNackView::parse(const RtcpPacketView& packet) {
  if (packet.packetType() != rtcp_type::kRtpfb || packet.countOrFormat() != rtcp_fmt::kGenericNack) {
    return fail(RtcpError::kWrongType);
  }
  const ByteView body = packet.body();
  // RFC 4585 §6.2.1: at least one FCI entry of 4 bytes.
  if (body.size() < kFeedbackHeaderSize + 4) {
    return fail(RtcpError::kTooShort);
  }
  return GenericNackView(body, (body.size() - kFeedbackHeaderSize) / 4);
}

Result<PliView, RtcpError> PliView::parse(const RtcpPacketView& packet) {
  if (packet.packetType() != rtcp_type::kPsfb || packet.countOrFormat() != rtcp_fmt::kPli) {
    return fail(RtcpError::kWrongType);
  }
  if (packet.body().size() < kFeedbackHeaderSize) {
    return fail(RtcpError::kTooShort);
  }
  return PliView(packet.body());
}

Result<FirView, RtcpError> FirView::parse(const RtcpPacketView& packet) {
  if (packet.packetType() != rtcp_type::kPsfb || packet.countOrFormat() != rtcp_fmt::kFir) {
    return fail(RtcpError::kWrongType);
  }
  const ByteView body = packet.body();
  // RFC 5104 §4.3.1.1: one or more 8-byte FCI entries (SSRC, seq nr, 3 reserved bytes).
  if (body.size() < kFeedbackHeaderSize + 8) {
    return fail(RtcpError::kTooShort);
  }
  return FirView(body, (body.size() - kFeedbackHeaderSize) / 8);
}

Result<RembView, RtcpError> RembView::parse(const RtcpPacketView& packet) {
  if (packet.kind() != RtcpKind::kRemb) {
    return fail(RtcpError::kWrongType);
  }
  // FCI: 'R''E''M''B', num SSRC (8), BR exp (6), BR mantissa (18), then the SSRCs.
  const ByteView body = packet.body();
  if (body.size() < kFeedbackHeaderSize + 8) {
    return fail(RtcpError::kTooShort);
  }
  if (body.size() < kFeedbackHeaderSize + 8 + 4 * size_t{body[12]}) {
    return fail(RtcpError::kMalformed);
  }
  return RembView(body);
}

uint64_t RembView::bitrateBps() const {
  const uint8_t exp = body_[13] >> 2;
  const uint64_t mantissa = readU24(&body_[13]) & 0x3FFFF;
  if (mantissa == 0) {
    return 0;
  }
  // An 18-bit mantissa shifted by up to 63 can overflow: saturate instead.
  if (exp > 46) {
    return std::numeric_limits<uint64_t>::max();
  }
  return mantissa << exp;
}

}  // namespace medrtc::rtp
