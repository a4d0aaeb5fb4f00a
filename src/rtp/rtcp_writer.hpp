#pragma once
// RTCP builders. Each writes one packet at the start of `out` and returns its size in
// bytes, or 0 if `out` is too small (nothing useful is written then). Concatenate the
// results to form a compound packet (RFC 3550 §6.1).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/bytes.hpp"
#include "rtp/rtcp_feedback.hpp"
#include "rtp/rtcp_reports.hpp"

namespace medrtc::rtp {

struct SenderInfo {
  uint32_t ssrc = 0;
  uint64_t ntpTimestamp = 0;  // 32.32 fixed point seconds since 1900
  uint32_t rtpTimestamp = 0;
  uint32_t packetCount = 0;
  uint32_t octetCount = 0;
};

// RFC 3550 §6.4.1. At most 31 report blocks (RC is 5 bits); extra blocks are not written.
size_t writeSenderReport(MutableByteView out, const SenderInfo& info, std::span<const ReportBlock> blocks);
// RFC 3550 §6.4.2.
size_t writeReceiverReport(MutableByteView out, uint32_t senderSsrc, std::span<const ReportBlock> blocks);
// RFC 3550 §6.5.1: one chunk with a CNAME item (cname up to 255 bytes).
size_t writeSdesCname(MutableByteView out, uint32_t ssrc, std::string_view cname);
// RFC 3550 §6.6, without a reason.
size_t writeBye(MutableByteView out, std::span<const uint32_t> ssrcs);

// Packs sequence numbers into PID/BLP pairs (RFC 4585 §6.2.1). Input in ascending
// wraparound order gives the fewest pairs; any order gives a correct (larger) packet.
// Duplicates are folded.
size_t packNackPairs(std::span<const uint16_t> lost, std::span<NackPair> out);
// Writes a generic NACK for the given lost sequence numbers (as packNackPairs orders them).
// Returns 0 if `lost` is empty or the packet would not fit.
size_t writeGenericNack(MutableByteView out, uint32_t senderSsrc, uint32_t mediaSsrc, std::span<const uint16_t> lost);
size_t writePli(MutableByteView out, uint32_t senderSsrc, uint32_t mediaSsrc);
// RFC 5104 §4.3.1: the media SSRC field of the common header is unused and set to 0.
size_t writeFir(MutableByteView out, uint32_t senderSsrc, std::span<const FirEntry> entries);
// draft-alvestrand-rmcat-remb-03 §2.2: bitrate as an 18-bit mantissa and 6-bit exponent,
// rounded down to what the encoding can hold. At most 255 SSRCs.
size_t writeRemb(MutableByteView out, uint32_t senderSsrc, uint64_t bitrateBps, std::span<const uint32_t> ssrcs);

// Writes the 4-byte RTCP common header for a packet of `size` bytes (a multiple of 4).
void writeRtcpHeader(uint8_t* p, uint8_t countOrFormat, uint8_t packetType, size_t size);

}  // namespace medrtc::rtp
