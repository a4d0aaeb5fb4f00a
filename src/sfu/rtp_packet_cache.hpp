#pragma once
// The recent packets of a video stream, kept in plaintext so any consumer can answer a
// NACK (RFC 4585 §6.2.1) by rewriting and re-protecting the original. One cache per
// producer layer, not per consumer: fan-out does not multiply memory. Storing a packet is
// one memcpy, no allocation except when the ring is resized (at most once a second).
//
// Sized by what NACK can still use (issue 14 item 3): a retransmission helps only while
// the subscriber's jitter buffer still waits for the packet, i.e. for a few of its round
// trips; older packets are never asked for (the receiver asks for a keyframe instead).
// So the ring holds `retention` of the stream's measured byte rate (plus a quarter for
// keyframe bursts and rate swings), re-measured every second: 1.5 Mbit/s for 400 ms is
// ≈ 92 KiB, where a fixed ring for the highest rate (320 KiB) was most of a participant's
// memory. Audio never stores (a lost Opus frame is concealed, not NACKed): it reserves
// nothing, not even the index.
//
// Packets lie end to end in the ring (a packet never straddles the end; the tail is
// skipped), and an index of kSlots entries finds them by sequence number.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "common/bytes.hpp"
#include "common/clock.hpp"

namespace medrtc::sfu {

class RtpPacketCache {
 public:
  // At most this many packets, whatever their size (a power of two: index by seq % kSlots).
  static constexpr size_t kSlots = 512;
  static constexpr size_t kMaxPacketSize = 1500;
  // Bounds of the ring: the minimum holds a keyframe of a low layer, the maximum ≈ 1.3 s
  // of 2.5 Mbit/s (more retention than that is never asked for).
  static constexpr size_t kMinCapacityBytes = 16 * 1024;
  static constexpr size_t kMaxCapacityBytes = 512 * 1024;
  // Until the first rate measurement: ≈ 350 ms of the 1.5 Mbit/s default.
  static constexpr size_t kInitialCapacityBytes = 64 * 1024;
  // Four round trips of 100 ms until a subscriber's RTT is known (setRetention).
  static constexpr Micros kDefaultRetention{400'000};
  static constexpr Micros kRateWindow{1'000'000};

  // How long packets must stay available; the ring follows at the next rate window.
  void setRetention(Micros retention) { retention_ = retention; }
  Micros retention() const { return retention_; }

  void store(uint16_t sequenceNumber, ByteView packet, Micros now) {
    if (packet.empty() || packet.size() > kMaxPacketSize) {
      return;
    }
    measure(packet.size(), now);
    if (!ring_) {
      // Uninitialised on purpose: pages become resident only as the ring fills.
      ring_.reset(new uint8_t[capacity_]);
      index_ = std::make_unique<Entry[]>(kSlots);
    }
    size_t offset = written_ % capacity_;
    if (offset + packet.size() > capacity_) {
      written_ += capacity_ - offset;  // skip the tail: packets stay contiguous
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
    if (!index_) {
      return std::nullopt;
    }
    const Entry& entry = index_[sequenceNumber % kSlots];
    if (!live(entry) || entry.sequenceNumber != sequenceNumber) {
      return std::nullopt;
    }
    return ByteView(ring_.get() + entry.start % capacity_, entry.length);
  }

  // Bytes reserved for packets (0 until the first store).
  size_t reservedBytes() const { return ring_ ? capacity_ : 0; }
  // The ring's size now, or the size it will have when the first packet is stored.
  size_t capacityBytes() const { return capacity_; }

  // The ring for `bytesPerSecond` held `retention`, with a quarter spare, in 4 KiB pages.
  static size_t capacityFor(uint64_t bytesPerSecond, Micros retention) {
    uint64_t bytes = bytesPerSecond * static_cast<uint64_t>(retention.count()) / 1'000'000;
    bytes += bytes / 4;
    bytes = (bytes + 4095) / 4096 * 4096;
    return static_cast<size_t>(std::clamp<uint64_t>(bytes, kMinCapacityBytes, kMaxCapacityBytes));
  }

 private:
  struct Entry {
    uint64_t start = 0;  // position in the byte stream written so far
    uint16_t sequenceNumber = 0;
    uint16_t length = 0;  // 0: empty
  };

  // Overwritten once the writer went a whole ring past the packet's end.
  bool live(const Entry& entry) const { return entry.length != 0 && written_ - entry.start <= capacity_; }

  void measure(size_t bytes, Micros now) {
    if (!windowStarted_) {
      windowStarted_ = true;
      windowStart_ = now;
    }
    if (now - windowStart_ >= kRateWindow) {
      uint64_t rate = windowBytes_ * 1'000'000 / static_cast<uint64_t>((now - windowStart_).count());
      size_t target = capacityFor(rate, retention_);
      // Grow at once; shrink only by a margin, so a rate that wobbles does not copy the
      // ring every second.
      if (target > capacity_ || target < capacity_ * 3 / 4) {
        resize(target);
      }
      windowStart_ = now;
      windowBytes_ = 0;
    }
    windowBytes_ += bytes;
  }

  // Moves the newest packets that fit into a ring of `capacity` bytes.
  void resize(size_t capacity) {
    if (!ring_) {
      capacity_ = capacity;
      return;
    }
    // Live entries, newest first, as long as they fit; then laid out oldest first.
    Entry* keep[kSlots];
    size_t count = 0;
    for (size_t i = 0; i < kSlots; ++i) {
      if (live(index_[i])) {
        keep[count++] = &index_[i];
      } else {
        index_[i].length = 0;
      }
    }
    std::sort(keep, keep + count, [](const Entry* a, const Entry* b) { return a->start > b->start; });
    size_t kept = 0;
    size_t bytes = 0;
    while (kept < count && bytes + keep[kept]->length <= capacity) {
      bytes += keep[kept++]->length;
    }
    for (size_t i = kept; i < count; ++i) {
      keep[i]->length = 0;
    }
    std::unique_ptr<uint8_t[]> ring(new uint8_t[capacity]);
    uint64_t position = 0;
    for (size_t i = kept; i-- > 0;) {
      std::memcpy(ring.get() + position, ring_.get() + keep[i]->start % capacity_, keep[i]->length);
      keep[i]->start = position;
      position += keep[i]->length;
    }
    ring_ = std::move(ring);
    capacity_ = capacity;
    written_ = position;
  }

  std::unique_ptr<uint8_t[]> ring_;
  std::unique_ptr<Entry[]> index_;
  size_t capacity_ = kInitialCapacityBytes;
  uint64_t written_ = 0;  // bytes ever written, skipped tails included
  Micros retention_ = kDefaultRetention;
  bool windowStarted_ = false;
  Micros windowStart_{0};
  uint64_t windowBytes_ = 0;
};

}  // namespace medrtc::sfu
