#include "sfu/layer_forwarder.hpp"

namespace medrtc::sfu {

LayerForwarder::Vp8Numbering LayerForwarder::renumber(const Vp8Numbering& vp8, uint16_t pictureIdOffset,
                                                      uint8_t tl0PicIdxOffset) {
  Vp8Numbering out = vp8;
  if (vp8.pictureId) {
    uint16_t mask = vp8.pictureId15Bit ? 0x7FFF : 0x7F;
    out.pictureId = static_cast<uint16_t>((*vp8.pictureId + pictureIdOffset) & mask);
  }
  if (vp8.tl0PicIdx) {
    out.tl0PicIdx = static_cast<uint8_t>(*vp8.tl0PicIdx + tl0PicIdxOffset);
  }
  return out;
}

std::optional<LayerForwarder::Rewrite> LayerForwarder::forward(size_t layer, uint16_t sequenceNumber,
                                                                uint32_t timestamp, bool keyframe, Micros now) {
  return forward(layer, sequenceNumber, timestamp, keyframe, now, Vp8Numbering{});
}

std::optional<LayerForwarder::Rewrite> LayerForwarder::forward(size_t layer, uint16_t sequenceNumber,
                                                                uint32_t timestamp, bool keyframe, Micros now,
                                                                const Vp8Numbering& vp8) {
  bool switching = layer == target_ && keyframe && (!started_ || current_ != target_ || needKeyframe_);
  if (switching) {
    if (started_) {
      int64_t elapsed = (now - lastSentAt_).count();
      auto advance = static_cast<uint32_t>(elapsed > 0 ? elapsed * static_cast<int64_t>(clockRate_) / 1'000'000 : 0);
      timestampOffset_ = lastTimestamp_ + (advance == 0 ? 1 : advance) - timestamp;
    } else {
      // The first layer keeps its timestamps: the subscriber's SRs map them through the
      // publisher's own clock (Consumer::senderInfo).
      timestampOffset_ = 0;
    }
    sequenceOffset_ = static_cast<uint16_t>(nextSequence_ - sequenceNumber);
    // The new layer's keyframe numbered right after the newest frame sent (RFC 7741 §4.2:
    // PictureID and TL0PICIDX only ever count up); the first layer keeps its own numbers.
    pictureIdOffset_ = started_ && lastPictureId_ && vp8.pictureId
                           ? static_cast<uint16_t>(*lastPictureId_ + 1 - *vp8.pictureId)
                           : 0;
    tl0PicIdxOffset_ = started_ && lastTl0PicIdx_ && vp8.tl0PicIdx
                           ? static_cast<uint8_t>(*lastTl0PicIdx_ + 1 - *vp8.tl0PicIdx)
                           : 0;
    switchSequence_ = sequenceNumber;
    current_ = layer;
    started_ = true;
    needKeyframe_ = false;
  } else if (!started_ || layer != current_ || needKeyframe_) {
    return std::nullopt;
  } else if (static_cast<int16_t>(sequenceNumber - switchSequence_) < 0) {
    return std::nullopt;  // from before the switch: its numbers belong to the old offsets
  }
  auto outgoing = static_cast<uint16_t>(sequenceNumber + sequenceOffset_);
  uint32_t outgoingTimestamp = timestamp + timestampOffset_;
  Vp8Numbering numbering = renumber(vp8, pictureIdOffset_, tl0PicIdxOffset_);
  // Only the newest packet moves the reference points; a late (reordered or retransmitted)
  // one keeps its place.
  if (switching || static_cast<int16_t>(outgoing - nextSequence_) >= 0) {
    nextSequence_ = static_cast<uint16_t>(outgoing + 1);
    lastTimestamp_ = outgoingTimestamp;
    lastSentAt_ = now;
    if (numbering.pictureId) {
      lastPictureId_ = numbering.pictureId;
    }
    if (numbering.tl0PicIdx) {
      lastTl0PicIdx_ = numbering.tl0PicIdx;
    }
  }
  remember(outgoing, sequenceNumber);
  return Rewrite{outgoing, outgoingTimestamp, numbering};
}

void LayerForwarder::remember(uint16_t outgoing, uint16_t incoming) {
  if (!history_) {
    return;
  }
  Entry& entry = (*history_)[outgoing % kHistory];
  entry.outgoing = outgoing;
  entry.incoming = incoming;
  entry.timestampOffset = timestampOffset_;
  entry.pictureIdOffset = pictureIdOffset_;
  entry.tl0PicIdxOffset = tl0PicIdxOffset_;
  entry.layer = static_cast<uint8_t>(current_);
  entry.valid = true;
}

std::optional<LayerForwarder::Origin> LayerForwarder::origin(uint16_t outgoingSequenceNumber) const {
  if (!history_) {
    return std::nullopt;
  }
  const Entry& entry = (*history_)[outgoingSequenceNumber % kHistory];
  if (!entry.valid || entry.outgoing != outgoingSequenceNumber) {
    return std::nullopt;
  }
  return Origin{entry.layer, entry.incoming, entry.timestampOffset, entry.pictureIdOffset, entry.tl0PicIdxOffset};
}

}  // namespace medrtc::sfu
