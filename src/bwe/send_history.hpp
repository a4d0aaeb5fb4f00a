#pragma once
// What the SFU sent on one subscriber transport, by transport-wide sequence number
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): send time and size of each
// packet, so transport-cc feedback can be turned into (sent, arrived, size) samples for
// the estimator. libwebrtc's SendTimeHistory / mediasoup's sent-packet map, as a fixed ring:
// recording is O(1) and allocation-free on the send path.
//
// The transport numbers its packets itself (the publisher's numbers mean nothing on this
// hop), so the history also hands out the numbers.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace medrtc::bwe {

struct SentPacket {
  int64_t sequence = 0;   // unwrapped transport-wide sequence number
  int64_t sendUs = 0;     // when it left (the worker's clock)
  uint32_t size = 0;      // bytes on the wire (SRTP included)
  int32_t probeCluster = -1;  // the probe cluster it belonged to, -1 for media
};

class SendHistory {
 public:
  // Feedback for packets more than this far behind the newest is ignored: at 2.5 Mbit/s
  // of 1200-byte packets that is ~4 s, at 5 Mbit/s ~2 s, far longer than feedback takes
  // (browsers send it every 50–250 ms). 24 KiB per subscriber transport; 4,096 entries
  // were 96 KiB, half of the per-participant memory target (docs/life-of-a-packet.md).
  static constexpr size_t kWindow = 1024;

  // Records a packet about to be sent and returns the 16-bit number to write into it.
  uint16_t add(int64_t sendUs, uint32_t size, int32_t probeCluster = -1);
  // The number add() will hand out next (written into the packet before its SRTP size is
  // known; a packet that then fails to go out does not use it up).
  uint16_t nextSequence() const { return static_cast<uint16_t>(next_); }
  // The packet that carried `sequence` (16-bit, as feedback names it), unwrapped relative to
  // the newest; nullopt if it was never sent or has left the window.
  std::optional<SentPacket> find(uint16_t sequence) const;
  // Unwraps a 16-bit number from feedback relative to the newest sent packet.
  int64_t unwrap(uint16_t sequence) const;
  // Every packet added since the last call left the socket at `departedUs`: the worker
  // queues packets while it handles a batch of events and sends them all with one
  // sendmmsg (GSO) at its end, and a worker the busy CPU took off the core in between
  // would otherwise show the gap as one-way delay growth on the path.
  void markDeparted(int64_t departedUs);
  // True while packets added since the last markDeparted() wait for it.
  bool awaitingDeparture() const { return departed_ < next_; }
  uint64_t packetsSent() const { return static_cast<uint64_t>(next_); }
  bool empty() const { return next_ == 0; }

 private:
  int64_t next_ = 0;  // unwrapped number of the next packet; starts at 0 (RFC: any value)
  int64_t departed_ = 0;  // packets below this number have their departure time
  std::array<SentPacket, kWindow> ring_{};
};

}  // namespace medrtc::bwe
