#include "rtp/rtcp_packet.hpp"

#include <optional>

namespace medrtc::rtp {
namespace {

// The padding count of a packet known to fit, 0 if P is clear. Already validated.
size_t paddingOf(ByteView packet) { return (packet[0] & 0x20) != 0 ? packet[packet.size() - 1] : 0; }

}  // namespace

RtcpKind RtcpPacketView::kind() const {
  const uint8_t fmt = countOrFormat();
  switch (packetType()) {
    case rtcp_type::kSenderReport: return RtcpKind::kSenderReport;
    case rtcp_type::kReceiverReport: return RtcpKind::kReceiverReport;
    case rtcp_type::kSdes: return RtcpKind::kSdes;
    case rtcp_type::kBye: return RtcpKind::kBye;
    case rtcp_type::kApp: return RtcpKind::kApp;
    case rtcp_type::kRtpfb:
      if (fmt == rtcp_fmt::kGenericNack) {
        return RtcpKind::kGenericNack;
      }
      if (fmt == rtcp_fmt::kTransportCc) {
        return RtcpKind::kTransportCc;
      }
      return RtcpKind::kUnknown;
    case rtcp_type::kPsfb:
      if (fmt == rtcp_fmt::kPli) {
        return RtcpKind::kPli;
      }
      if (fmt == rtcp_fmt::kFir) {
        return RtcpKind::kFir;
      }
      if (fmt == rtcp_fmt::kAfb) {
        // RFC 4585 §6.4: application layer feedback; REMB is the one whose FCI starts with
        // the ASCII identifier "REMB" (draft-alvestrand-rmcat-remb-03 §2.2).
        const ByteView b = body();
        if (b.size() >= 12 && b[8] == 'R' && b[9] == 'E' && b[10] == 'M' && b[11] == 'B') {
          return RtcpKind::kRemb;
        }
      }
      return RtcpKind::kUnknown;
    default: return RtcpKind::kUnknown;
  }
}

namespace {

// The packets of `data` that are valid from its start: how many, how many bytes they take,
// and what is wrong with the packet after them (none when they take all of `data`).
struct Walk {
  size_t count = 0;
  size_t consumed = 0;
  std::optional<RtcpError> error;
};

Walk walkPackets(ByteView data) {
  Walk walk;
  if (data.size() < kRtcpHeaderSize) {
    walk.error = RtcpError::kTooShort;
    return walk;
  }
  ByteView rest = data;
  while (!rest.empty()) {
    if (rest.size() < kRtcpHeaderSize) {
      walk.error = RtcpError::kTooShort;
      return walk;
    }
    // RFC 3550 §6.4.1: version 2; length in 32-bit words minus one, header included.
    if ((rest[0] >> 6) != 2) {
      walk.error = RtcpError::kBadVersion;
      return walk;
    }
    const size_t size = 4 * (size_t{readU16(&rest[2])} + 1);
    if (size > rest.size()) {
      walk.error = RtcpError::kBadLength;
      return walk;
    }
    if ((rest[0] & 0x20) != 0) {
      // RFC 3550 §6.4.1: the last octet counts the padding, itself included.
      const uint8_t padding = rest[size - 1];
      if (padding == 0 || padding > size - kRtcpHeaderSize) {
        walk.error = RtcpError::kBadPadding;
        return walk;
      }
    }
    rest = rest.subspan(size);
    walk.consumed += size;
    ++walk.count;
  }
  return walk;
}

}  // namespace

Result<RtcpCompoundView, RtcpError> RtcpCompoundView::parse(ByteView data) {
  const Walk walk = walkPackets(data);
  if (walk.error) {
    return fail(*walk.error);
  }
  return RtcpCompoundView(data, walk.count);
}

Result<RtcpCompoundView, RtcpError> RtcpCompoundView::salvage(ByteView data) {
  const Walk walk = walkPackets(data);
  if (walk.count == 0) {
    return fail(walk.error.value_or(RtcpError::kTooShort));
  }
  return RtcpCompoundView(data.first(walk.consumed), walk.count, data.size() - walk.consumed);
}

RtcpPacketView RtcpCompoundView::Iterator::operator*() const {
  const ByteView packet = rest_.first(currentSize());
  return RtcpPacketView(packet, paddingOf(packet));
}

}  // namespace medrtc::rtp
