#include "rtp/transport_cc.hpp"

#include <algorithm>
#include <cstring>

namespace medrtc::rtp {
namespace {

constexpr uint8_t kNotReceived = 0;
constexpr uint8_t kSmall = 1;
constexpr uint8_t kLarge = 2;
constexpr size_t kTwoBitCapacity = 7;
constexpr size_t kOneBitCapacity = 14;
constexpr size_t kRunLengthCapacity = 0x1FFF;

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) {
    --q;
  }
  return q;
}

size_t deltaBytesOf(uint8_t symbol) { return symbol == kSmall ? 1 : (symbol == kLarge ? 2 : 0); }

}  // namespace

Result<TransportCcFeedbackView, RtcpError> TransportCcFeedbackView::parse(const RtcpPacketView& packet) {
  if (packet.packetType() != rtcp_type::kRtpfb || packet.countOrFormat() != rtcp_fmt::kTransportCc) {
    return fail(RtcpError::kWrongType);
  }
  const ByteView body = packet.body();
  if (body.size() < 16) {
    return fail(RtcpError::kTooShort);
  }
  const size_t count = readU16(&body[10]);
  size_t covered = 0;
  size_t chunks = 0;
  size_t deltaBytes = 0;
  size_t offset = 16;
  while (covered < count) {
    if (offset + 2 > body.size()) {
      return fail(RtcpError::kMalformed);
    }
    const uint16_t chunk = readU16(&body[offset]);
    offset += 2;
    ++chunks;
    if ((chunk & 0x8000) == 0) {
      const auto symbol = static_cast<uint8_t>((chunk >> 13) & 0x03);
      if (symbol == 3) {
        return fail(RtcpError::kMalformed);
      }
      const size_t run = std::min<size_t>(chunk & 0x1FFF, count - covered);
      deltaBytes += run * deltaBytesOf(symbol);
      covered += run;
    } else if ((chunk & 0x4000) == 0) {
      for (int bit = 13; bit >= 0 && covered < count; --bit, ++covered) {
        deltaBytes += (chunk >> bit) & 0x01;
      }
    } else {
      for (int shift = 12; shift >= 0 && covered < count; shift -= 2, ++covered) {
        const auto symbol = static_cast<uint8_t>((chunk >> shift) & 0x03);
        if (symbol == 3) {
          return fail(RtcpError::kMalformed);
        }
        deltaBytes += deltaBytesOf(symbol);
      }
    }
  }
  if (offset + deltaBytes > body.size()) {
    return fail(RtcpError::kMalformed);
  }
  return TransportCcFeedbackView(body, chunks);
}

// --- OpenChunk: the chunk choice of libwebrtc's TransportFeedback::LastChunk ---

bool TransportCcFeedbackWriter::OpenChunk::canAdd(uint8_t symbol) const {
  if (size < kTwoBitCapacity) {
    return true;
  }
  if (size < kOneBitCapacity && !hasLarge && symbol != kLarge) {
    return true;
  }
  return size < kRunLengthCapacity && allSame && symbols[0] == symbol;
}

void TransportCcFeedbackWriter::OpenChunk::add(uint8_t symbol) {
  if (size < kOneBitCapacity) {
    symbols[size] = symbol;
  }
  ++size;
  allSame = allSame && symbol == symbols[0];
  hasLarge = hasLarge || symbol == kLarge;
}

uint16_t TransportCcFeedbackWriter::OpenChunk::encodeRunLength() const {
  // §3.1.3: |T=0|S(2)|run length(13)|
  return static_cast<uint16_t>((uint16_t{symbols[0]} << 13) | size);
}

uint16_t TransportCcFeedbackWriter::OpenChunk::encodeOneBit(size_t count) const {
  // §3.1.4 with S=0: |1|0| 14 one-bit symbols |
  uint16_t chunk = 0x8000;
  for (size_t i = 0; i < count; ++i) {
    chunk = static_cast<uint16_t>(chunk | (uint16_t{symbols[i]} << (13 - i)));
  }
  return chunk;
}

uint16_t TransportCcFeedbackWriter::OpenChunk::encodeTwoBit(size_t count) const {
  // §3.1.4 with S=1: |1|1| 7 two-bit symbols |
  uint16_t chunk = 0xC000;
  for (size_t i = 0; i < count; ++i) {
    chunk = static_cast<uint16_t>(chunk | (uint16_t{symbols[i]} << (2 * (6 - i))));
  }
  return chunk;
}

uint16_t TransportCcFeedbackWriter::OpenChunk::emit() {
  if (allSame) {
    const uint16_t chunk = encodeRunLength();
    *this = OpenChunk{};
    return chunk;
  }
  if (size == kOneBitCapacity) {
    const uint16_t chunk = encodeOneBit(kOneBitCapacity);
    *this = OpenChunk{};
    return chunk;
  }
  // Mixed symbols that need two bits: pack the first 7 and keep the rest open.
  const uint16_t chunk = encodeTwoBit(kTwoBitCapacity);
  const size_t rest = size - kTwoBitCapacity;
  OpenChunk next;
  for (size_t i = 0; i < rest; ++i) {
    next.add(symbols[kTwoBitCapacity + i]);
  }
  *this = next;
  return chunk;
}

uint16_t TransportCcFeedbackWriter::OpenChunk::encodeLast() const {
  if (allSame) {
    return encodeRunLength();
  }
  if (size <= kTwoBitCapacity) {
    return encodeTwoBit(size);
  }
  return encodeOneBit(size);
}

// --- TransportCcFeedbackWriter ---

TransportCcFeedbackWriter::TransportCcFeedbackWriter(size_t maxSize)
    : maxSize_(std::clamp<size_t>(maxSize, kTwccHeaderSize + 4, kAbsoluteMaxSize)) {}

void TransportCcFeedbackWriter::reset(uint16_t baseSequenceNumber, int64_t firstArrivalUs,
                                      uint8_t feedbackPacketCount) {
  baseSequenceNumber_ = baseSequenceNumber;
  feedbackPacketCount_ = feedbackPacketCount;
  const int64_t reference = floorDiv(firstArrivalUs, kTwccReferenceTimeUnitUs);
  referenceTime_ = static_cast<uint32_t>(reference) & 0xFFFFFF;
  state_ = State{};
  state_.lastTicks = reference * (kTwccReferenceTimeUnitUs / kTwccDeltaTickUs);
}

size_t TransportCcFeedbackWriter::sizeOf(const State& s) const {
  const size_t chunks = s.chunkCount + (s.open.size != 0 ? 1 : 0);
  const size_t raw = kTwccHeaderSize + 2 * chunks + s.deltaBytes;
  return (raw + 3) / 4 * 4;  // §3.1: zero padding to a 32-bit boundary
}

size_t TransportCcFeedbackWriter::size() const { return sizeOf(state_); }

bool TransportCcFeedbackWriter::addSymbol(State& s, uint8_t symbol) {
  if (s.statusCount == 0xFFFF) {
    return false;
  }
  if (s.open.canAdd(symbol)) {
    s.open.add(symbol);
  } else {
    chunks_[s.chunkCount++] = s.open.emit();
    s.open.add(symbol);
  }
  s.deltaBytes += deltaBytesOf(symbol);
  ++s.statusCount;
  return sizeOf(s) <= maxSize_;
}

bool TransportCcFeedbackWriter::addReceivedPacket(uint16_t seq, int64_t arrivalUs) {
  State s = state_;
  const auto next = static_cast<uint16_t>(baseSequenceNumber_ + s.statusCount);
  const auto gap = static_cast<uint16_t>(seq - next);
  // A gap of half the sequence space or more means `seq` is old, not far ahead.
  if (gap >= 0x8000) {
    return false;
  }
  for (uint16_t i = 0; i < gap; ++i) {
    if (!addSymbol(s, kNotReceived)) {
      return false;
    }
  }
  const int64_t ticks = floorDiv(arrivalUs, kTwccDeltaTickUs);
  const int64_t delta = ticks - s.lastTicks;
  if (delta < INT16_MIN || delta > INT16_MAX) {
    return false;
  }
  const uint8_t symbol = (delta >= 0 && delta <= 0xFF) ? kSmall : kLarge;
  const size_t deltaOffset = s.deltaBytes;
  if (!addSymbol(s, symbol)) {
    return false;
  }
  if (symbol == kSmall) {
    deltas_[deltaOffset] = static_cast<uint8_t>(delta);
  } else {
    writeU16(&deltas_[deltaOffset], static_cast<uint16_t>(static_cast<int16_t>(delta)));
  }
  s.lastTicks = ticks;
  state_ = s;
  return true;
}

size_t TransportCcFeedbackWriter::write(MutableByteView out, uint32_t senderSsrc, uint32_t mediaSsrc) const {
  const size_t total = size();
  if (state_.statusCount == 0 || out.size() < total) {
    return 0;
  }
  uint8_t* p = out.data();
  std::memset(p, 0, total);
  p[0] = static_cast<uint8_t>(0x80 | rtcp_fmt::kTransportCc);
  p[1] = rtcp_type::kRtpfb;
  writeU16(p + 2, static_cast<uint16_t>(total / 4 - 1));
  writeU32(p + 4, senderSsrc);
  writeU32(p + 8, mediaSsrc);
  writeU16(p + 12, baseSequenceNumber_);
  writeU16(p + 14, static_cast<uint16_t>(state_.statusCount));
  writeU24(p + 16, referenceTime_);
  p[19] = feedbackPacketCount_;
  size_t offset = kTwccHeaderSize;
  for (size_t i = 0; i < state_.chunkCount; ++i) {
    writeU16(p + offset, chunks_[i]);
    offset += 2;
  }
  if (state_.open.size != 0) {
    writeU16(p + offset, state_.open.encodeLast());
    offset += 2;
  }
  std::memcpy(p + offset, deltas_.data(), state_.deltaBytes);
  return total;
}

}  // namespace medrtc::rtp
