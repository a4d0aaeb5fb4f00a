#pragma once
// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-
// extensions-01 §3.1), RTPFB FMT=15:
//
//   | sender SSRC | media SSRC | base seq (16) | packet status count (16) |
//   | reference time (24, ×64 ms) | fb pkt count (8) | packet chunks (16 each) ... |
//   | receive deltas (8 bits small, 16 bits signed large, ×250 µs) ... | zero padding |
//
// TransportCcFeedbackView reads such a packet; TransportCcFeedbackWriter encodes one,
// choosing chunk types the way libwebrtc's TransportFeedback does (keep 2-bit, 1-bit or
// run-length form as long as the symbols allow, emit when the next symbol does not fit).
#include <array>
#include <cstddef>
#include <cstdint>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "rtp/rtcp_packet.hpp"

namespace medrtc::rtp {

inline constexpr int64_t kTwccDeltaTickUs = 250;
inline constexpr int64_t kTwccReferenceTimeUnitUs = 64000;
inline constexpr size_t kTwccHeaderSize = 20;  // common header + FB header + 8 fixed bytes

// Packet status symbols (§3.1.1).
enum class TwccStatus : uint8_t {
  kNotReceived = 0,
  kSmallDelta = 1,  // received, delta in 0..255 ticks, 1 byte
  kLargeDelta = 2,  // received, delta signed 16-bit ticks, 2 bytes
};

class TransportCcFeedbackView {
 public:
  // Validates that the chunks cover the packet status count, that no chunk carries the
  // reserved symbol 3, and that every receive delta is inside the body.
  static Result<TransportCcFeedbackView, RtcpError> parse(const RtcpPacketView& packet);

  uint32_t senderSsrc() const { return readU32(&body_[0]); }
  uint32_t mediaSsrc() const { return readU32(&body_[4]); }
  uint16_t baseSequenceNumber() const { return readU16(&body_[8]); }
  uint16_t packetStatusCount() const { return readU16(&body_[10]); }
  // The raw 24-bit value, in units of 64 ms. It wraps every ~12.4 days.
  uint32_t referenceTime() const { return readU24(&body_[12]); }
  uint8_t feedbackPacketCount() const { return body_[15]; }
  size_t chunkCount() const { return chunkCount_; }

  // Calls f(uint16_t seq, bool received, int64_t arrivalUs) for each of the
  // packetStatusCount() packets in order. arrivalUs = referenceTime() × 64 ms + the sum of
  // deltas so far; it is meaningful only when received.
  template <typename F>
  void forEachPacket(F&& f) const;

 private:
  TransportCcFeedbackView(ByteView body, size_t chunks) : body_(body), chunkCount_(chunks) {}
  ByteView body_;
  size_t chunkCount_;
};

// Encodes one feedback packet. No allocation: chunks and deltas go into fixed arrays sized
// for the largest packet the writer may produce.
class TransportCcFeedbackWriter {
 public:
  static constexpr size_t kDefaultMaxSize = 1200;
  static constexpr size_t kAbsoluteMaxSize = 1500;

  explicit TransportCcFeedbackWriter(size_t maxSize = kDefaultMaxSize);

  // Starts a new packet. The reference time is the 64 ms boundary at or before
  // `firstArrivalUs`, so the first delta is always small.
  void reset(uint16_t baseSequenceNumber, int64_t firstArrivalUs, uint8_t feedbackPacketCount);
  // Adds a received packet; sequence numbers between the previous one and `seq` are
  // reported as not received. Returns false, leaving the packet unchanged, if `seq` is not
  // newer than the last one, the delta does not fit 16 bits, or the packet would grow
  // past the size limit: the caller then starts a new packet at `seq`.
  bool addReceivedPacket(uint16_t seq, int64_t arrivalUs);

  uint16_t packetStatusCount() const { return static_cast<uint16_t>(state_.statusCount); }
  bool empty() const { return state_.statusCount == 0; }
  // Bytes write() produces, padding included.
  size_t size() const;
  // Writes the RTCP packet; returns its size or 0 if `out` is too small or nothing was added.
  size_t write(MutableByteView out, uint32_t senderSsrc, uint32_t mediaSsrc) const;

 private:
  // The chunk being filled (libwebrtc's "LastChunk"): up to 14 symbols kept, beyond that
  // only a run of identical symbols.
  struct OpenChunk {
    std::array<uint8_t, 14> symbols{};
    uint16_t size = 0;
    bool allSame = true;
    bool hasLarge = false;

    bool canAdd(uint8_t symbol) const;
    void add(uint8_t symbol);
    uint16_t emit();              // encodes and removes the leading symbols it could pack
    uint16_t encodeLast() const;  // encodes everything for the packet's final chunk
    uint16_t encodeRunLength() const;
    uint16_t encodeOneBit(size_t count) const;
    uint16_t encodeTwoBit(size_t count) const;
  };
  struct State {
    OpenChunk open;
    size_t chunkCount = 0;   // emitted chunks (the open one not included)
    size_t deltaBytes = 0;
    size_t statusCount = 0;
    int64_t lastTicks = 0;
  };
  // Appends one status symbol with libwebrtc's size accounting; false if it would not fit.
  bool addSymbol(State& s, uint8_t symbol);
  size_t sizeOf(const State& s) const;

  size_t maxSize_;
  uint16_t baseSequenceNumber_ = 0;
  uint32_t referenceTime_ = 0;
  uint8_t feedbackPacketCount_ = 0;
  // A failed add is rolled back by restoring this small struct; array entries past its
  // counts are scratch.
  State state_;
  std::array<uint16_t, (kAbsoluteMaxSize - kTwccHeaderSize) / 2> chunks_{};
  std::array<uint8_t, kAbsoluteMaxSize - kTwccHeaderSize> deltas_{};
};

template <typename F>
void TransportCcFeedbackView::forEachPacket(F&& f) const {
  const size_t count = packetStatusCount();
  uint16_t seq = baseSequenceNumber();
  int64_t arrivalUs = int64_t{referenceTime()} * kTwccReferenceTimeUnitUs;
  size_t deltaOffset = 16 + 2 * chunkCount_;
  size_t done = 0;
  auto emitSymbol = [&](uint8_t symbol) {
    if (symbol == 1) {
      arrivalUs += int64_t{body_[deltaOffset]} * kTwccDeltaTickUs;
      deltaOffset += 1;
    } else if (symbol == 2) {
      arrivalUs += int64_t{static_cast<int16_t>(readU16(&body_[deltaOffset]))} * kTwccDeltaTickUs;
      deltaOffset += 2;
    }
    f(seq, symbol != 0, arrivalUs);
    ++seq;
    ++done;
  };
  for (size_t c = 0; c < chunkCount_ && done < count; ++c) {
    const uint16_t chunk = readU16(&body_[16 + 2 * c]);
    if ((chunk & 0x8000) == 0) {
      const auto symbol = static_cast<uint8_t>((chunk >> 13) & 0x03);
      const size_t run = chunk & 0x1FFF;
      for (size_t i = 0; i < run && done < count; ++i) {
        emitSymbol(symbol);
      }
    } else if ((chunk & 0x4000) == 0) {
      for (int bit = 13; bit >= 0 && done < count; --bit) {
        emitSymbol(static_cast<uint8_t>((chunk >> bit) & 0x01));
      }
    } else {
      for (int shift = 12; shift >= 0 && done < count; shift -= 2) {
        emitSymbol(static_cast<uint8_t>((chunk >> shift) & 0x03));
      }
    }
  }
}

}  // namespace medrtc::rtp
