#pragma once
// Turns the layers of a simulcast producer into the one continuous RTP stream a
// subscriber's decoder expects (mediasoup's SimulcastConsumer, LiveKit's RTPMunger).
//
// It forwards packets of one layer at a time. A switch to another (target) layer happens
// only on a keyframe of that layer, so the decoder never sees a frame whose references it
// lacks. Each layer has its own random sequence-number and timestamp base, so outgoing
// values are incoming + offset, with offsets recomputed at every switch:
//   - sequence: the switching keyframe gets the last sent number + 1 (no gap, no repeat);
//   - timestamp: the last sent timestamp + the wall-clock time since it was sent, in clock
//     units (at least 1), so playout timing stays right without needing the layers' SRs.
// Packets of the current layer older than the switch point and packets of any other layer
// are dropped.
//
// It remembers, for the last kHistory outgoing sequence numbers, which layer and incoming
// number they came from, so a NACK from the subscriber finds the packet in that layer's
// cache even after a switch.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "common/clock.hpp"

namespace medrtc::sfu {

class LayerForwarder {
 public:
  static constexpr size_t kHistory = 512;  // as many as a producer's packet cache holds

  // keepHistory false: origin() finds nothing, and the 8 KiB history is not allocated. For
  // what is never retransmitted (audio: producers cache no audio for NACK).
  LayerForwarder(uint16_t firstSequenceNumber, uint32_t clockRate, bool keepHistory = true)
      : nextSequence_(firstSequenceNumber),
        clockRate_(clockRate),
        history_(keepHistory ? std::make_unique<std::array<Entry, kHistory>>() : nullptr) {}

  void setTargetLayer(size_t layer) { target_ = layer; }
  size_t targetLayer() const { return target_; }
  // The layer being sent; nullopt before the first packet went out.
  std::optional<size_t> currentLayer() const { return started_ ? std::optional<size_t>(current_) : std::nullopt; }
  // True while a switch (or the start) waits for a keyframe of the target layer.
  bool waitingForKeyframe() const { return !started_ || current_ != target_ || needKeyframe_; }
  // After a pause (nothing forwarded for a while): the next packet sent must start a
  // keyframe of the target layer, numbered on from the last one sent, as at a switch.
  void requireKeyframe() { needKeyframe_ = started_; }
  // Outgoing timestamp of the newest packet sent (padding on the rtx stream reuses it).
  uint32_t lastTimestamp() const { return lastTimestamp_; }

  // A VP8 packet's frame numbering (RFC 7741 §4.2), where it has one. Each simulcast layer
  // numbers its frames its own way, and the receiver orders frames by PictureID: after a
  // switch the new layer's keyframe must come after every frame sent before it, or a
  // Chromium receiver drops it as old and goes on decoding the new layer's delta frames
  // against the old layer's picture (seen in tests/e2e/bwe-switch-up.test.mjs: 720p
  // arriving, 180p decoded, no keyframe, for a minute).
  struct Vp8Numbering {
    std::optional<uint16_t> pictureId;
    bool pictureId15Bit = true;
    std::optional<uint8_t> tl0PicIdx;
  };

  struct Rewrite {
    uint16_t sequenceNumber;
    uint32_t timestamp;
    Vp8Numbering vp8;  // the outgoing numbering (empty fields: none to write)
  };
  // The outgoing numbers for a packet of `layer`, or nullopt to drop it. `keyframe`: the
  // packet starts a keyframe (always true for audio). `vp8`: the packet's VP8 numbering.
  std::optional<Rewrite> forward(size_t layer, uint16_t sequenceNumber, uint32_t timestamp, bool keyframe, Micros now,
                                 const Vp8Numbering& vp8);
  std::optional<Rewrite> forward(size_t layer, uint16_t sequenceNumber, uint32_t timestamp, bool keyframe, Micros now);

  struct Origin {
    size_t layer;
    uint16_t sequenceNumber;
    uint32_t timestampOffset;  // outgoing timestamp = incoming + this
    uint16_t pictureIdOffset;  // outgoing PictureID = incoming + this (mod its width)
    uint8_t tl0PicIdxOffset;   // outgoing TL0PICIDX = incoming + this (mod 256)
  };
  // A retransmission's numbering: `vp8` with the offsets in force when it was first sent.
  static Vp8Numbering renumber(const Vp8Numbering& vp8, uint16_t pictureIdOffset, uint8_t tl0PicIdxOffset);
  // Where an outgoing sequence number came from, for a retransmission; nullopt when it is
  // too old or was never sent.
  std::optional<Origin> origin(uint16_t outgoingSequenceNumber) const;
  // Outgoing timestamp = incoming + this, for the layer being sent.
  uint32_t timestampOffset() const { return timestampOffset_; }

 private:
  void remember(uint16_t outgoing, uint16_t incoming);

  struct Entry {
    uint16_t outgoing = 0;
    uint16_t incoming = 0;
    uint32_t timestampOffset = 0;
    uint16_t pictureIdOffset = 0;
    uint8_t tl0PicIdxOffset = 0;
    uint8_t layer = 0;
    bool valid = false;
  };

  bool started_ = false;
  bool needKeyframe_ = false;
  size_t current_ = 0;
  size_t target_ = 0;
  uint16_t nextSequence_;     // outgoing number of the next new packet
  uint16_t switchSequence_ = 0;  // incoming number of the keyframe we switched on
  uint16_t sequenceOffset_ = 0;
  uint32_t timestampOffset_ = 0;
  uint32_t lastTimestamp_ = 0;  // outgoing, of the newest packet sent
  uint16_t pictureIdOffset_ = 0;
  uint8_t tl0PicIdxOffset_ = 0;
  std::optional<uint16_t> lastPictureId_;  // outgoing, of the newest packet sent
  std::optional<uint8_t> lastTl0PicIdx_;
  Micros lastSentAt_{0};
  uint32_t clockRate_;
  std::unique_ptr<std::array<Entry, kHistory>> history_;
};

}  // namespace medrtc::sfu
