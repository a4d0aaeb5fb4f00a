#pragma once
// One outgoing copy of a producer's track toward one subscriber (mediasoup's Consumer).
// It owns the subscriber-side identity of the stream (its own SSRC and a contiguous
// sequence number space), starts video on a keyframe so the decoder never sees a
// half-picture, and answers the subscriber's NACKs from the producer's packet cache.
// Of a simulcast producer it sends one layer (LayerForwarder), chosen by a LayerSelector
// from the subscriber's receiver reports.
#include <cstdint>
#include <optional>
#include <string>

#include <memory>
#include <vector>

#include "common/clock.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "sfu/layer_forwarder.hpp"
#include "sfu/layer_selector.hpp"
#include "sfu/rtp_parameters.hpp"

namespace medrtc::sfu {

class Producer;
class WebRtcTransport;

class Consumer {
 public:
  // `rtxSsrc`: the SSRC of its RFC 4588 retransmission stream (0: none, e.g. audio).
  Consumer(Producer& producer, WebRtcTransport& transport, std::string mid, uint32_t ssrc, uint32_t rtxSsrc = 0);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  const std::string& mid() const { return mid_; }
  uint32_t ssrc() const { return ssrc_; }
  uint32_t rtxSsrc() const { return rtxSsrc_; }
  const std::string& kind() const { return kind_; }
  const std::string& producerParticipantId() const { return producerParticipantId_; }
  const std::string& trackId() const { return trackId_; }
  Producer* producer() const { return producer_; }
  // The codecs this stream is offered with (server canonical payload types). Kept after the
  // producer is gone: a stopped m-line must still list a format (RFC 8866 §5.14).
  const std::vector<RtpCodec>& codecs() const { return codecs_; }
  bool closed() const { return producer_ == nullptr; }

  // The subscriber accepted the offer carrying this consumer's m-line.
  void setNegotiated(bool negotiated) { negotiated_ = negotiated; }
  bool negotiated() const { return negotiated_; }
  // The subscriber's answer kept the rtx format: retransmissions go on the rtx stream.
  void setRtxNegotiated(bool negotiated) { rtxNegotiated_ = negotiated && rtxSsrc_ != 0 && rtxPayloadType_ != 0; }

  // A packet of the producer's layer `layer` (0 without simulcast).
  void forward(const rtp::RtpPacketView& packet, size_t layer, uint8_t payloadType, bool keyframe, Micros now);
  // Picks the layer to send (simulcast producers only); called on the subscriber's tick.
  void updateLayer(Micros now);
  // RFC 3550 §6.4.1 fraction lost and a downlink estimate (bit/s) for the selector.
  // Under a bandwidth allocation the estimator's loss bound already acts on loss, and the
  // selector's own slower rule (one layer per 10 s) would hold the layer down after the
  // allocation allowed it up again: the reports then do not reach the selector.
  void onReceiverReport(uint8_t fractionLost, Micros now) {
    if (!bandwidthManaged_) {
      selector_->onReceiverReport(fractionLost, now);
    }
  }
  void onEstimate(uint64_t bitsPerSecond, Micros now) { selector_->onEstimate(bitsPerSecond, now); }
  // The downstream bandwidth allocation (sfu/bandwidth_allocator.hpp): the highest layer
  // allowed (nullopt: no cap), or paused (video only: nothing is forwarded until resumed;
  // audio continues on its own consumer). Resuming waits for a keyframe.
  void setBandwidthAllocation(std::optional<size_t> maxLayer, bool paused);
  bool paused() const { return paused_; }
  std::optional<size_t> bandwidthCap() const { return bandwidthCap_; }
  // Padding-only packets on the rtx stream (RFC 4588 with no payload, as libwebrtc pads):
  // filler for a bandwidth probe. False when rtx was not negotiated.
  bool sendPadding(size_t paddingBytes);
  // The producer layer being sent (nullopt before the first packet).
  std::optional<size_t> currentLayer() const { return forwarder_.currentLayer(); }
  size_t targetLayer() const { return forwarder_.targetLayer(); }
  // RFC 4585 §6.2.1: resend a packet the subscriber reported lost (RFC 4588 RTX when
  // negotiated, else the original again).
  void retransmit(uint16_t sequenceNumber);
  // PLI/FIR from the subscriber → a keyframe request toward the publisher.
  void requestKeyframe();
  // RFC 3550 §6.4.1 sender information for an SR; false when nothing was sent yet or the
  // publisher's clock mapping is unknown.
  struct SenderInfo {
    uint64_t ntp;
    uint32_t rtpTimestamp;
    uint32_t packetCount;
    uint32_t octetCount;
  };
  std::optional<SenderInfo> senderInfo(Micros now, uint64_t ntpNow) const;

  // The producer is going away.
  void onProducerClosed() { producer_ = nullptr; }

  struct Stats {
    uint64_t packetsSent = 0;
    uint64_t bytesSent = 0;
    uint64_t retransmitted = 0;
    uint64_t nackMisses = 0;
    uint64_t droppedWaitingForKeyframe = 0;
    uint64_t layerSwitches = 0;
    uint64_t droppedPaused = 0;  // video not forwarded while the allocation paused it
    uint64_t paddingSent = 0;    // bytes of probe padding
  };
  const Stats& stats() const { return stats_; }

 private:
  Producer* producer_;
  WebRtcTransport& transport_;
  std::string mid_;
  uint32_t ssrc_;
  uint32_t rtxSsrc_;
  uint8_t rtxPayloadType_ = 0;  // the canonical rtx PT paired with our codec (0: none)
  bool rtxNegotiated_ = false;
  uint16_t rtxSequence_;
  std::string kind_;
  std::string producerParticipantId_;
  std::string trackId_;
  std::vector<RtpCodec> codecs_;
  bool negotiated_ = false;
  LayerForwarder forwarder_;
  std::unique_ptr<LayerSelector> selector_;
  std::optional<size_t> bandwidthCap_;
  bool paused_ = false;
  bool bandwidthManaged_ = false;  // an allocation came: the estimator rules, not RR loss
  Stats stats_;
};

}  // namespace medrtc::sfu
