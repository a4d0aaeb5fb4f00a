#pragma once
// Views over the RFC 3550 §6.4-§6.6 report packets: SR, RR, SDES, BYE. Each parse()
// checks the body holds what the header announces; accessors then read without checks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "rtp/rtcp_packet.hpp"

namespace medrtc::rtp {

// RFC 3550 §6.4.1 report block, 24 bytes on the wire.
struct ReportBlock {
  uint32_t ssrc = 0;
  uint8_t fractionLost = 0;           // 8-bit fixed point: lost / expected * 256
  int32_t cumulativeLost = 0;         // 24-bit signed on the wire (can be negative with duplicates)
  uint32_t extendedHighestSequence = 0;
  uint32_t jitter = 0;                // in RTP timestamp units
  uint32_t lastSr = 0;                // LSR: middle 32 bits of the last SR's NTP time
  uint32_t delaySinceLastSr = 0;      // DLSR in 1/65536 s

  friend bool operator==(const ReportBlock&, const ReportBlock&) = default;
};
inline constexpr size_t kReportBlockSize = 24;

ReportBlock readReportBlock(const uint8_t* p);
void writeReportBlock(uint8_t* p, const ReportBlock& block);

class SenderReportView {
 public:
  static Result<SenderReportView, RtcpError> parse(const RtcpPacketView& packet);
  uint32_t senderSsrc() const { return readU32(&body_[0]); }
  uint64_t ntpTimestamp() const { return readU64(&body_[4]); }
  uint32_t rtpTimestamp() const { return readU32(&body_[12]); }
  uint32_t packetCount() const { return readU32(&body_[16]); }
  uint32_t octetCount() const { return readU32(&body_[20]); }
  size_t reportCount() const { return reportCount_; }
  ReportBlock reportBlock(size_t i) const { return readReportBlock(&body_[24 + kReportBlockSize * i]); }

 private:
  SenderReportView(ByteView body, size_t count) : body_(body), reportCount_(count) {}
  ByteView body_;
  size_t reportCount_;
};

class ReceiverReportView {
 public:
  static Result<ReceiverReportView, RtcpError> parse(const RtcpPacketView& packet);
  uint32_t senderSsrc() const { return readU32(&body_[0]); }
  size_t reportCount() const { return reportCount_; }
  ReportBlock reportBlock(size_t i) const { return readReportBlock(&body_[4 + kReportBlockSize * i]); }

 private:
  ReceiverReportView(ByteView body, size_t count) : body_(body), reportCount_(count) {}
  ByteView body_;
  size_t reportCount_;
};

// RFC 3550 §6.5: chunks of (SSRC, items...), each item list ended by a zero octet and
// padded to a 32-bit boundary.
class SdesView {
 public:
  static constexpr uint8_t kCname = 1;

  static Result<SdesView, RtcpError> parse(const RtcpPacketView& packet);
  size_t chunkCount() const { return chunkCount_; }
  // Calls f(ssrc, itemType, text) for every item.
  template <typename F>
  void forEachItem(F&& f) const {
    walk(body_, chunkCount_, f);
  }

 private:
  SdesView(ByteView body, size_t count) : body_(body), chunkCount_(count) {}
  // Returns false if the chunks do not fit the body.
  template <typename F>
  static bool walk(ByteView body, size_t chunks, F& f);
  ByteView body_;
  size_t chunkCount_;
};

class ByeView {
 public:
  static Result<ByeView, RtcpError> parse(const RtcpPacketView& packet);
  size_t sourceCount() const { return sourceCount_; }
  uint32_t ssrc(size_t i) const { return readU32(&body_[4 * i]); }
  std::string_view reason() const { return reason_; }

 private:
  ByeView(ByteView body, size_t count, std::string_view reason) : body_(body), sourceCount_(count), reason_(reason) {}
  ByteView body_;
  size_t sourceCount_;
  std::string_view reason_;
};

template <typename F>
bool SdesView::walk(ByteView body, size_t chunks, F& f) {
  size_t offset = 0;
  for (size_t c = 0; c < chunks; ++c) {
    if (offset + 4 > body.size()) {
      return false;
    }
    const uint32_t ssrc = readU32(&body[offset]);
    offset += 4;
    while (true) {
      if (offset >= body.size()) {
        return false;
      }
      const uint8_t type = body[offset];
      if (type == 0) {  // end of the item list; skip to the next 32-bit boundary
        offset = (offset + 4) & ~size_t{3};
        break;
      }
      if (offset + 2 > body.size()) {
        return false;
      }
      const size_t length = body[offset + 1];
      if (offset + 2 + length > body.size()) {
        return false;
      }
      f(ssrc, type, std::string_view(reinterpret_cast<const char*>(&body[offset + 2]), length));
      offset += 2 + length;
    }
    if (offset > body.size()) {
      return false;
    }
  }
  return true;
}

}  // namespace medrtc::rtp
