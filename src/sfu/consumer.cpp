#include "sfu/consumer.hpp"

#include "common/random.hpp"
#include "sdp/server_capabilities.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/producer.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

Consumer::Consumer(Producer& producer, WebRtcTransport& transport, std::string mid, uint32_t ssrc)
    : producer_(&producer),
      transport_(transport),
      mid_(std::move(mid)),
      ssrc_(ssrc),
      kind_(producer.kind()),
      producerParticipantId_(producer.participantId()),
      trackId_(producer.trackId()),
      // RFC 3550 §5.1: the initial sequence number should be random.
      firstOutgoingSequence_(static_cast<uint16_t>(randomU32())) {
  if (const sdp::Codec* codec = producer.primaryCodec()) {
    codecs_ = sdp::canonicalCodecsFor(*codec);
  }
  producer.addConsumer(*this);
}

Consumer::~Consumer() {
  if (producer_) {
    producer_->removeConsumer(*this);
  }
}

void Consumer::forward(const rtp::RtpPacketView& packet, uint8_t payloadType, bool keyframe) {
  if (!negotiated_ || !transport_.connected()) {
    return;
  }
  if (!started_) {
    // Video starts on a keyframe; until then ask the publisher for one.
    if (kind_ == "video" && !keyframe) {
      ++stats_.droppedWaitingForKeyframe;
      producer_->requestKeyframe();
      return;
    }
    started_ = true;
    sequenceOffset_ = static_cast<uint16_t>(firstOutgoingSequence_ - packet.sequenceNumber());
  }
  auto outgoing = static_cast<uint16_t>(packet.sequenceNumber() + sequenceOffset_);
  if (transport_.sendRtp(packet.bytes(), RtpRewrite{ssrc_, outgoing, payloadType})) {
    ++stats_.packetsSent;
    stats_.bytesSent += packet.payload().size();
    lastRtpTimestamp_ = packet.timestamp();
  }
}

void Consumer::retransmit(uint16_t sequenceNumber) {
  if (!producer_ || !started_) {
    return;
  }
  auto original = static_cast<uint16_t>(sequenceNumber - sequenceOffset_);
  auto cached = producer_->cache().find(original);
  if (!cached) {
    ++stats_.nackMisses;
    return;
  }
  auto payloadType = producer_->canonicalPayloadType((*cached)[1] & 0x7F);
  if (!payloadType) {
    return;
  }
  if (transport_.sendRtp(*cached, RtpRewrite{ssrc_, sequenceNumber, *payloadType})) {
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
  auto clock = producer_->senderClock();
  if (!clock) {
    return std::nullopt;
  }
  // Extrapolate the publisher's own NTP↔RTP mapping, so audio and video of one publisher
  // keep the relation lip-sync depends on (RFC 3550 §6.4.1).
  int64_t elapsed = (now - clock->receivedAt).count();
  uint64_t ntpElapsed = (static_cast<uint64_t>(elapsed) << 32) / 1'000'000;
  uint32_t rtpElapsed = static_cast<uint32_t>(elapsed * static_cast<int64_t>(producer_->clockRate()) / 1'000'000);
  return SenderInfo{clock->ntp + ntpElapsed, clock->rtpTimestamp + rtpElapsed,
                    static_cast<uint32_t>(stats_.packetsSent), static_cast<uint32_t>(stats_.bytesSent)};
}

}  // namespace medrtc::sfu
