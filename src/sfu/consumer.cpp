#include "sfu/consumer.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

#include "common/random.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/producer.hpp"
#include "sfu/rtx_packet.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

namespace {

LayerForwarder::Vp8Numbering numberingOf(const rtp::Vp8PayloadDescriptor& d) {
  LayerForwarder::Vp8Numbering n;
  if (d.hasPictureId) {
    n.pictureId = d.pictureId;
    n.pictureId15Bit = d.pictureId15Bit;
  }
  if (d.hasTl0PicIdx) {
    n.tl0PicIdx = d.tl0PicIdx;
  }
  return n;
}

// Where `numbering` goes in `packet` (RFC 7741 §4.2: PictureID right after the two
// descriptor bytes |X|R|N|S|R|PID| |I|L|T|K|RSV|, TL0PICIDX after it), counted from the end
// as RtpRewrite wants it. `padding`: the RTP padding the copy sent will end with, which is
// not always the packet's own: a plain copy keeps it, an RTX copy has none (RFC 4588 §4,
// writeRtxPacket), so the place is counted from the payload's end plus that.
void addVp8Numbering(RtpRewrite& out, const rtp::RtpPacketView& packet, const rtp::Vp8PayloadDescriptor& d,
                     const LayerForwarder::Vp8Numbering& numbering, size_t padding) {
  auto payloadAt = static_cast<size_t>(packet.payload().data() - packet.bytes().data());
  size_t end = payloadAt + packet.payload().size() + padding;
  size_t at = payloadAt + 2;
  if (d.hasPictureId && numbering.pictureId) {
    out.vp8PictureIdFromEnd = end - at;
    out.vp8PictureId = *numbering.pictureId;
    out.vp8PictureId15Bit = d.pictureId15Bit;
  }
  if (d.hasPictureId) {
    at += d.pictureId15Bit ? 2 : 1;
  }
  if (d.hasTl0PicIdx && numbering.tl0PicIdx) {
    out.vp8Tl0PicIdxFromEnd = end - at;
    out.vp8Tl0PicIdx = *numbering.tl0PicIdx;
  }
}

}  // namespace

Consumer::Consumer(Producer& producer, WebRtcTransport& transport, std::string mid, uint32_t ssrc, uint32_t rtxSsrc)
    : producer_(&producer),
      transport_(transport),
      mid_(std::move(mid)),
      ssrc_(ssrc),
      rtxSsrc_(rtxSsrc),
      rtxSequence_(static_cast<uint16_t>(randomU32())),
      kind_(producer.kind()),
      producerParticipantId_(producer.participantId()),
      trackId_(producer.trackId()),
      // RFC 3550 §5.1: the initial sequence number should be random.
      // Only video is cached for NACK (Producer), so only video needs the way back.
      forwarder_(static_cast<uint16_t>(randomU32()), producer.clockRate(), producer.isVideo()),
      selector_(std::make_unique<LossBasedLayerSelector>()) {
  if (producer.primaryCodec()) {
    codecs_ = producer.forwardedCodecs();
  }
  for (const RtpCodec& c : codecs_) {
    if (c.rtxFor) {
      rtxPayloadType_ = static_cast<uint8_t>(c.payloadType);
    }
  }
  // Until the first tick chooses, aim at the top layer: a 1:1 call starts there.
  forwarder_.setTargetLayer(producer.layerCount() - 1);
  producer.addConsumer(*this);
}

Consumer::~Consumer() {
  if (producer_) {
    producer_->removeConsumer(*this);
  }
}

void Consumer::forward(const rtp::RtpPacketView& packet, size_t layer, uint8_t payloadType, bool keyframe,
                       Micros now) {
  if (!negotiated_ || !transport_.connected()) {
    return;
  }
  if (paused_) {
    ++stats_.droppedPaused;
    return;
  }
  std::optional<size_t> before = forwarder_.currentLayer();
  // Simulcast VP8: the frame numbering continues across layer switches (LayerForwarder).
  std::optional<rtp::Vp8PayloadDescriptor> vp8 = producer_->simulcast() ? producer_->vp8Descriptor(packet) : std::nullopt;
  auto rewrite = forwarder_.forward(layer, packet.sequenceNumber(), packet.timestamp(), keyframe, now,
                                    vp8 ? numberingOf(*vp8) : LayerForwarder::Vp8Numbering{});
  if (!rewrite) {
    // Video starts (and switches) on a keyframe of the target layer; until then ask the
    // publisher for one.
    if (layer == forwarder_.targetLayer() && forwarder_.waitingForKeyframe()) {
      ++stats_.droppedWaitingForKeyframe;
      producer_->requestKeyframe(layer);
    }
    return;
  }
  if (before && *before != layer) {
    ++stats_.layerSwitches;
  }
  RtpRewrite out{ssrc_, rewrite->sequenceNumber, payloadType, rewrite->timestamp - packet.timestamp()};
  if (vp8) {
    addVp8Numbering(out, packet, *vp8, rewrite->vp8, packet.paddingSize());  // the copy keeps the padding
  }
  if (transport_.sendRtp(packet.bytes(), out)) {
    ++stats_.packetsSent;
    stats_.bytesSent += packet.payload().size();
  }
}

void Consumer::updateLayer(Micros now) {
  if (!producer_ || !producer_->simulcast()) {
    return;
  }
  std::array<LayerState, Producer::kMaxLayers> layers{};
  size_t count = std::min(producer_->layerCount(), layers.size());
  for (size_t i = 0; i < count; ++i) {
    const RtpReceiveStream& stream = producer_->layer(i);
    layers[i] = LayerState{stream.active(now), stream.activeSince(), stream.bitrate()};
  }
  auto target = selector_->select(std::span<const LayerState>(layers.data(), count), forwarder_.currentLayer(), now);
  if (target && bandwidthCap_ && *target > *bandwidthCap_) {
    // The estimate caps what loss alone would allow: the best active layer within it.
    size_t capped = std::min(*bandwidthCap_, count - 1);
    while (capped > 0 && !layers[capped].active) {
      --capped;
    }
    if (layers[capped].active) {
      target = capped;
    }
  }
  if (target && *target != forwarder_.targetLayer()) {
    forwarder_.setTargetLayer(*target);
    producer_->requestKeyframe(*target);
  }
}

void Consumer::setBandwidthAllocation(std::optional<size_t> maxLayer, bool paused) {
  if (!bandwidthManaged_) {
    // Forget a ceiling the loss rule set before the estimate was settled.
    selector_ = std::make_unique<LossBasedLayerSelector>();
    bandwidthManaged_ = true;
  }
  bandwidthCap_ = maxLayer;
  bool pause = paused && kind_ == "video";
  if (paused_ && !pause && producer_) {
    // Resume on a keyframe: what the decoder had is stale by now.
    forwarder_.requireKeyframe();
    producer_->requestKeyframe(forwarder_.targetLayer());
  }
  paused_ = pause;
}

bool Consumer::sendPadding(size_t paddingBytes) {
  if (!rtxNegotiated_ || !negotiated_ || paddingBytes == 0 || paddingBytes > 255) {
    return false;
  }
  // RFC 3550 §5.1: P bit set, the last octet counts the padding (itself included).
  std::array<uint8_t, 12 + 255> buffer{};
  buffer[0] = 0xA0;
  writeU32(&buffer[4], forwarder_.lastTimestamp());
  buffer[11 + paddingBytes] = static_cast<uint8_t>(paddingBytes);
  bool sent = transport_.sendRtp(ByteView(buffer.data(), 12 + paddingBytes),
                                 RtpRewrite{rtxSsrc_, rtxSequence_, rtxPayloadType_, 0});
  if (sent) {
    ++rtxSequence_;
    stats_.paddingSent += paddingBytes;
  }
  return sent;
}

void Consumer::retransmit(uint16_t sequenceNumber) {
  if (!producer_ || !forwarder_.currentLayer()) {
    return;
  }
  auto origin = forwarder_.origin(sequenceNumber);
  if (!origin || origin->layer >= producer_->layerCount()) {
    ++stats_.nackMisses;
    return;
  }
  auto cached = producer_->cache(origin->layer).find(origin->sequenceNumber);
  if (!cached) {
    ++stats_.nackMisses;
    return;
  }
  auto payloadType = producer_->canonicalPayloadType((*cached)[1] & 0x7F);
  if (!payloadType) {
    return;
  }
  // The VP8 numbering it had when first sent (a retransmitted packet must match its frame;
  // a padded one too: Chromium pads the packets of its bandwidth probes).
  std::array<uint8_t, RtpPacketCache::kMaxPacketSize> copy;
  std::optional<rtp::RtpPacketView> view;
  std::optional<rtp::Vp8PayloadDescriptor> vp8;
  if (producer_->simulcast() && cached->size() <= RtpPacketCache::kMaxPacketSize) {
    std::memcpy(copy.data(), cached->data(), cached->size());
    auto parsed = rtp::RtpPacketView::parse(MutableByteView(copy.data(), cached->size()));
    if (parsed.ok()) {
      view.emplace(*parsed);
      vp8 = producer_->vp8Descriptor(*view);
    }
  }
  auto withNumbering = [&](RtpRewrite r, size_t padding) {
    if (vp8) {
      addVp8Numbering(r, *view, *vp8,
                      LayerForwarder::renumber(numberingOf(*vp8), origin->pictureIdOffset, origin->tl0PicIdxOffset),
                      padding);
    }
    return r;
  };
  bool sent = false;
  if (rtxNegotiated_) {
    // RFC 4588 §4: on the rtx stream, the number the subscriber asked for as the OSN.
    std::array<uint8_t, RtpPacketCache::kMaxPacketSize + 2> buffer;
    size_t size = writeRtxPacket(*cached, sequenceNumber, MutableByteView(buffer));
    if (size == 0) {
      return;
    }
    sent = transport_.sendRtp(ByteView(buffer.data(), size),
                              withNumbering(RtpRewrite{rtxSsrc_, rtxSequence_, rtxPayloadType_, origin->timestampOffset}, 0));
    if (sent) {
      ++rtxSequence_;
    }
  } else {
    sent = transport_.sendRtp(*cached, withNumbering(RtpRewrite{ssrc_, sequenceNumber, *payloadType, origin->timestampOffset},
                                                     view ? view->paddingSize() : 0));
  }
  if (sent) {
    ++stats_.retransmitted;
    mediaCounters().retransmissionsSent.add();
  }
}

void Consumer::requestKeyframe() {
  if (producer_) {
    producer_->requestKeyframe();
  }
}

std::optional<Consumer::SenderInfo> Consumer::senderInfo(Micros now, uint64_t ntpNow) const {
  if (!producer_ || stats_.packetsSent == 0) {
    return std::nullopt;
  }
  std::optional<size_t> layer = forwarder_.currentLayer();
  auto clock = layer ? producer_->senderClock(*layer) : std::nullopt;
  if (!clock) {
    return std::nullopt;
  }
  // Extrapolate the publisher's own NTP↔RTP mapping, so audio and video of one publisher
  // keep the relation lip-sync depends on (RFC 3550 §6.4.1).
  int64_t elapsed = (now - clock->receivedAt).count();
  uint64_t ntpElapsed = (static_cast<uint64_t>(elapsed) << 32) / 1'000'000;
  uint32_t rtpElapsed = static_cast<uint32_t>(elapsed * static_cast<int64_t>(producer_->clockRate()) / 1'000'000);
  return SenderInfo{clock->ntp + ntpElapsed, clock->rtpTimestamp + rtpElapsed + forwarder_.timestampOffset(),
                    static_cast<uint32_t>(stats_.packetsSent), static_cast<uint32_t>(stats_.bytesSent)};
}

}  // namespace medrtc::sfu
