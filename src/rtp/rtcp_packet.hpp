#pragma once
// RtcpCompoundView: a zero-copy walk over a compound RTCP packet (RFC 3550 §6.1). parse()
// checks every common header and length once; iterating afterwards cannot leave the buffer.
// Each element is an RtcpPacketView that the typed views (rtcp_reports.hpp,
// rtcp_feedback.hpp, transport_cc.hpp) parse further. Unknown packet types are simply
// yielded with kind() == kUnknown so the caller can skip them.
#include <cstddef>
#include <cstdint>
#include <iterator>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "rtp/rtp_error.hpp"

namespace medrtc::rtp {

// RFC 3550 §12.1, RFC 4585 §6.1.
namespace rtcp_type {
inline constexpr uint8_t kSenderReport = 200;
inline constexpr uint8_t kReceiverReport = 201;
inline constexpr uint8_t kSdes = 202;
inline constexpr uint8_t kBye = 203;
inline constexpr uint8_t kApp = 204;
inline constexpr uint8_t kRtpfb = 205;  // transport layer feedback
inline constexpr uint8_t kPsfb = 206;   // payload-specific feedback
}  // namespace rtcp_type

// Feedback message types (FMT).
namespace rtcp_fmt {
inline constexpr uint8_t kGenericNack = 1;   // RFC 4585 §6.2.1
inline constexpr uint8_t kTransportCc = 15;  // draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1
inline constexpr uint8_t kPli = 1;           // RFC 4585 §6.3.1
inline constexpr uint8_t kFir = 4;           // RFC 5104 §4.3.1
inline constexpr uint8_t kAfb = 15;          // RFC 4585 §6.4, carries REMB
}  // namespace rtcp_fmt

enum class RtcpKind : uint8_t {
  kSenderReport,
  kReceiverReport,
  kSdes,
  kBye,
  kApp,
  kGenericNack,
  kTransportCc,
  kPli,
  kFir,
  kRemb,
  kUnknown,
};

inline constexpr size_t kRtcpHeaderSize = 4;

class RtcpPacketView {
 public:
  // Wraps one already length-checked packet (what RtcpCompoundView yields).
  explicit RtcpPacketView(ByteView packet, size_t paddingSize) : data_(packet), paddingSize_(paddingSize) {}

  // RC, SC or FMT depending on the type.
  uint8_t countOrFormat() const { return data_[0] & 0x1F; }
  uint8_t packetType() const { return data_[1]; }
  bool hasPadding() const { return (data_[0] & 0x20) != 0; }
  // The length field: size in 32-bit words minus one.
  uint16_t lengthField() const { return readU16(&data_[2]); }
  // Everything after the 4-byte common header, padding removed.
  ByteView body() const { return data_.subspan(kRtcpHeaderSize, data_.size() - kRtcpHeaderSize - paddingSize_); }
  // The whole packet as on the wire.
  ByteView bytes() const { return data_; }
  RtcpKind kind() const;

 private:
  ByteView data_;
  size_t paddingSize_;
};

class RtcpCompoundView {
 public:
  // Rejects a buffer unless it is a whole number of valid RTCP packets: version 2, each
  // length within the buffer, padding counts sane. An empty buffer is rejected too.
  static Result<RtcpCompoundView, RtcpError> parse(ByteView data);
  // As libwebrtc's RTCPReceiver reads a compound: the packets before the first malformed
  // one are kept and the rest dropped (droppedBytes()), so one bad packet (werift's
  // unpadded transport-cc feedback, one byte short of a word) does not take the receiver
  // reports and NACKs before it along. Rejected only when the first packet is malformed.
  static Result<RtcpCompoundView, RtcpError> salvage(ByteView data);

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = RtcpPacketView;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = RtcpPacketView;

    Iterator() = default;
    explicit Iterator(ByteView rest) : rest_(rest) {}
    RtcpPacketView operator*() const;
    Iterator& operator++() {
      rest_ = rest_.subspan(currentSize());
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iterator& other) const { return rest_.size() == other.rest_.size(); }

   private:
    size_t currentSize() const { return 4 * (size_t{readU16(&rest_[2])} + 1); }
    ByteView rest_;
  };

  Iterator begin() const { return Iterator(data_); }
  Iterator end() const { return Iterator(data_.subspan(data_.size())); }
  size_t packetCount() const { return packetCount_; }
  ByteView bytes() const { return data_; }
  // salvage(): the bytes from the first malformed packet on, not part of bytes(); 0 otherwise.
  size_t droppedBytes() const { return droppedBytes_; }

 private:
  RtcpCompoundView(ByteView data, size_t count, size_t dropped = 0)
      : data_(data), packetCount_(count), droppedBytes_(dropped) {}
  ByteView data_;
  size_t packetCount_;
  size_t droppedBytes_;
};

}  // namespace medrtc::rtp
