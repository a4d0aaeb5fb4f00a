#pragma once
// Views over RTCP feedback messages (RFC 4585 §6.1 common format: sender SSRC, media SSRC,
// then FCI): generic NACK (RFC 4585 §6.2.1), PLI (§6.3.1), FIR (RFC 5104 §4.3.1) and REMB
// (draft-alvestrand-rmcat-remb-03 §2.2).
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "rtp/rtcp_packet.hpp"

namespace medrtc::rtp {

inline constexpr size_t kFeedbackHeaderSize = 8;  // sender SSRC + media SSRC

struct NackPair {
  uint16_t pid = 0;  // packet ID: the first lost sequence number
  uint16_t blp = 0;  // bitmask of following lost packets: bit i means pid + i + 1
  friend bool operator==(const NackPair&, const NackPair&) = default;
};

class GenericNackView {
 public:
  static Result<GenericNackView, RtcpError> parse(const RtcpPacketView& packet);
  uint32_t senderSsrc() const { return readU32(&body_[0]); }
  uint32_t mediaSsrc() const { return readU32(&body_[4]); }
  size_t pairCount() const { return pairCount_; }
  NackPair pair(size_t i) const {
    const uint8_t* p = &body_[kFeedbackHeaderSize + 4 * i];
    return NackPair{readU16(p), readU16(p + 2)};
  }
  // Calls f(uint16_t seq) for every sequence number reported lost, in FCI order.
  template <typename F>
  void forEachSequenceNumber(F&& f) const {
    for (size_t i = 0; i < pairCount_; ++i) {
      const NackPair np = pair(i);
      f(np.pid);
      for (unsigned bit = 0; bit < 16; ++bit) {
        if ((np.blp >> bit) & 1u) {
          f(static_cast<uint16_t>(np.pid + bit + 1));
        }
      }
    }
  }
  // Writes up to out.size() lost sequence numbers; returns how many were written.
  size_t expand(std::span<uint16_t> out) const;

 private:
  GenericNackView(ByteView body, size_t pairs) : body_(body), pairCount_(pairs) {}
  ByteView body_;
  size_t pairCount_;
};

class PliView {
 public:
  static Result<PliView, RtcpError> parse(const RtcpPacketView& packet);
  uint32_t senderSsrc() const { return readU32(&body_[0]); }
  uint32_t mediaSsrc() const { return readU32(&body_[4]); }

 private:
  explicit PliView(ByteView body) : body_(body) {}
  ByteView body_;
};

struct FirEntry {
  uint32_t ssrc = 0;
  uint8_t sequenceNumber = 0;  // command sequence number, incremented per new request
  friend bool operator==(const FirEntry&, const FirEntry&) = default;
};

class FirView {
 public:
  static Result<FirView, RtcpError> parse(const RtcpPacketView& packet);
  uint32_t senderSsrc() const { return readU32(&body_[0]); }
  size_t entryCount() const { return entryCount_; }
  FirEntry entry(size_t i) const {
    const uint8_t* p = &body_[kFeedbackHeaderSize + 8 * i];
    return FirEntry{readU32(p), p[4]};
  }

 private:
  FirView(ByteView body, size_t entries) : body_(body), entryCount_(entries) {}
  ByteView body_;
  size_t entryCount_;
};

class RembView {
 public:
  static Result<RembView, RtcpError> parse(const RtcpPacketView& packet);
  uint32_t senderSsrc() const { return readU32(&body_[0]); }
  // mantissa << exp; saturates at UINT64_MAX for absurd exponents.
  uint64_t bitrateBps() const;
  size_t ssrcCount() const { return body_[12]; }
  uint32_t ssrc(size_t i) const { return readU32(&body_[16 + 4 * i]); }

 private:
  explicit RembView(ByteView body) : body_(body) {}
  ByteView body_;
};

}  // namespace medrtc::rtp
