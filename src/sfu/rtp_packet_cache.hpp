#pragma once
// The recent packets of a video producer, kept in plaintext so any consumer can answer a
// NACK (RFC 4585 §6.2.1) by rewriting and re-protecting the original. One cache per
// producer, not per consumer: fan-out does not multiply memory. Storing a packet is one
// memcpy, no allocation after the first.
//
// Memory is bounded by bytes, not by slots of the largest size: packets lie end to end in
// one ring of kCapacityBytes (a packet never straddles the end; the tail is skipped), and
// an index of kSlots entries finds them by sequence number. The ring is allocated on the
// first store, so a producer that never stores (audio) costs no ring at all. The old
// layout (512 slots × 1,500 bytes, touched at construction) cost 770 KB of RSS per
// producer, audio included.
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "common/bytes.hpp"

namespace medrtc::sfu {

class RtpPacketCache {
 public:
  // ~1 s of 2.5 Mbit/s video (≈ 1.7 s at the 1.5 Mbit/s default): enough for a NACK round
  // trip on a bad hospital Wi-Fi link (RTT up to several hundred ms).
  static constexpr size_t kCapacityBytes = 320 * 1024;
  // At most this many packets, whatever their size (a power of two: index by seq % kSlots).
  static constexpr size_t kSlots = 512;
  static constexpr size_t kMaxPacketSize = 1500;

  void store(uint16_t sequenceNumber, ByteView packet) {
    if (packet.empty() || packet.size() > kMaxPacketSize) {
      return;
    }
    if (!ring_) {
      // Uninitialised on purpose: pages become resident only as the ring fills.
      ring_.reset(new uint8_t[kCapacityBytes]);
    }
    size_t offset = written_ % kCapacityBytes;
    if (offset + packet.size() > kCapacityBytes) {
      written_ += kCapacityBytes - offset;  // skip the tail: packets stay contiguous
      offset = 0;
    }
    Entry& entry = index_[sequenceNumber % kSlots];
    entry.start = written_;
    entry.sequenceNumber = sequenceNumber;
    entry.length = static_cast<uint16_t>(packet.size());
    std::memcpy(ring_.get() + offset, packet.data(), packet.size());
    written_ += packet.size();
  }

  std::optional<ByteView> find(uint16_t sequenceNumber) const {
    const Entry& entry = index_[sequenceNumber % kSlots];
    if (entry.length == 0 || entry.sequenceNumber != sequenceNumber) {
      return std::nullopt;
    }
    // Overwritten once the writer went a whole ring past the packet's end.
    if (written_ - entry.start > kCapacityBytes) {
      return std::nullopt;
    }
    return ByteView(ring_.get() + entry.start % kCapacityBytes, entry.length);
  }

  // Bytes reserved for packets (0 until the first store).
  size_t reservedBytes() const { return ring_ ? kCapacityBytes : 0; }

 private:
  struct Entry {
    uint64_t start = 0;  // position in the byte stream written so far
    uint16_t sequenceNumber = 0;
    uint16_t length = 0;  // 0: empty
  };

  std::unique_ptr<uint8_t[]> ring_;
  uint64_t written_ = 0;  // bytes ever written, skipped tails included
  Entry index_[kSlots];
};

}  // namespace medrtc::sfu
