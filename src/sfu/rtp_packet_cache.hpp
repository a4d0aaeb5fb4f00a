#pragma once
// The last N packets of a video producer, kept in plaintext so any consumer can answer a
// NACK (RFC 4585 §6.2.1) by rewriting and re-protecting the original. One cache per
// producer, not per consumer: fan-out does not multiply memory. Preallocated ring; storing
// a packet is one memcpy, no allocation.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "common/bytes.hpp"

namespace medrtc::sfu {

class RtpPacketCache {
 public:
  // ~1 s of 2.5 Mbit/s video at 1,200-byte packets: enough for a NACK round trip on a bad
  // hospital Wi-Fi link (RTT up to several hundred ms).
  static constexpr size_t kSlots = 512;
  static constexpr size_t kMaxPacketSize = 1500;

  RtpPacketCache() : slots_(std::make_unique<std::array<Slot, kSlots>>()) {}

  void store(uint16_t sequenceNumber, ByteView packet) {
    if (packet.size() > kMaxPacketSize) {
      return;
    }
    Slot& slot = (*slots_)[sequenceNumber % kSlots];
    slot.sequenceNumber = sequenceNumber;
    slot.length = static_cast<uint16_t>(packet.size());
    std::memcpy(slot.data.data(), packet.data(), packet.size());
  }

  std::optional<ByteView> find(uint16_t sequenceNumber) const {
    const Slot& slot = (*slots_)[sequenceNumber % kSlots];
    if (slot.length == 0 || slot.sequenceNumber != sequenceNumber) {
      return std::nullopt;
    }
    return ByteView(slot.data.data(), slot.length);
  }

 private:
  struct Slot {
    uint16_t sequenceNumber = 0;
    uint16_t length = 0;
    std::array<uint8_t, kMaxPacketSize> data;
  };
  std::unique_ptr<std::array<Slot, kSlots>> slots_;
};

}  // namespace medrtc::sfu
