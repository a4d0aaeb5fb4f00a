#include "sfu/participant.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/random.hpp"
#include "rtp/rtcp_feedback.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_reports.hpp"
#include "rtp/transport_cc.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/transport_host.hpp"

namespace medrtc::sfu {

Participant::Participant(std::string id, ParticipantGrants grants, TransportHost& host,
                         std::shared_ptr<const dtls::DtlsContext> dtlsContext, Listener& listener)
    : id_(std::move(id)), grants_(grants), host_(host), listener_(listener), downlink_(id_) {
  publisher_ = std::make_unique<WebRtcTransport>(id_ + "/pub", host, dtlsContext, *this);
  subscriber_ = std::make_unique<WebRtcTransport>(id_ + "/sub", host, dtlsContext, *this);
}

Participant::~Participant() {
  // Consumers first: they unregister from producers of other participants.
  consumers_.clear();
  producerList_.clear();
  producersByMid_.clear();
}

Producer* Participant::findProducerByMid(const std::string& mid) {
  auto it = producersByMid_.find(mid);
  return it == producersByMid_.end() ? nullptr : it->second.get();
}

Producer& Participant::addProducer(ProducerParameters parameters) {
  std::string mid = parameters.mid;
  auto producer = std::make_unique<Producer>(id_, std::move(parameters));
  Producer& ref = *producer;
  if (ref.ssrc() != 0) {
    producersBySsrc_[ref.ssrc()] = &ref;
  }
  if (ref.rtxSsrc() != 0) {
    producersBySsrc_[ref.rtxSsrc()] = &ref;
  }
  producersByMid_[mid] = std::move(producer);
  rebuildProducerList();
  return ref;
}

void Participant::removeProducersExcept(const std::vector<std::string>& keepMids) {
  for (auto it = producersByMid_.begin(); it != producersByMid_.end();) {
    if (std::find(keepMids.begin(), keepMids.end(), it->first) == keepMids.end()) {
      Producer* gone = it->second.get();
      std::erase_if(producersBySsrc_, [gone](const auto& entry) { return entry.second == gone; });
      it = producersByMid_.erase(it);
    } else {
      ++it;
    }
  }
  rebuildProducerList();
}

void Participant::rebuildProducerList() {
  producerList_.clear();
  for (auto& [mid, producer] : producersByMid_) {
    producerList_.push_back(producer.get());
  }
}

Consumer& Participant::addConsumer(Producer& producer) {
  auto freshSsrc = [this](uint32_t other) {
    uint32_t ssrc;
    do {
      ssrc = randomU32();
    } while (ssrc == 0 || ssrc == other || consumersBySsrc_.count(ssrc));
    return ssrc;
  };
  uint32_t ssrc = freshSsrc(0);
  // Video gets an RFC 4588 rtx stream of its own; the offer pairs it in an FID group.
  uint32_t rtxSsrc = producer.isVideo() ? freshSsrc(ssrc) : 0;
  auto consumer = std::make_unique<Consumer>(producer, *subscriber_, std::to_string(consumers_.size()), ssrc, rtxSsrc);
  Consumer& ref = *consumer;
  consumersBySsrc_[ssrc] = &ref;
  consumers_.push_back(std::move(consumer));
  return ref;
}

Consumer* Participant::findConsumerBySsrc(uint32_t ssrc) {
  auto it = consumersBySsrc_.find(ssrc);
  return it == consumersBySsrc_.end() ? nullptr : it->second;
}

void Participant::onTick(Micros now) {
  publisher_->onTick(now);
  subscriber_->onTick(now);
  rtcp_.onTick(now, *publisher_, *subscriber_, producers(), consumers_);
  downlink_.onTick(now, *subscriber_, consumers_);
  for (auto& consumer : consumers_) {
    consumer->updateLayer(now);
  }
}

void Participant::onTransportConnected(WebRtcTransport& transport) {
  log::info("media_transport_connected", {{"participant", id_},
                                          {"connection", &transport == publisher_.get() ? "publisher" : "subscriber"}});
  if (&transport == subscriber_.get()) {
    // A subscriber that just connected needs a keyframe of every video it receives.
    for (auto& consumer : consumers_) {
      consumer->requestKeyframe();
    }
  }
}

void Participant::onTransportPathChanged(WebRtcTransport& transport) {
  // The video sent down the old path while it was dead (after an address change, until the
  // browser's ICE restart nominated the new one: 2-3 s) is lost, and what follows cannot be
  // decoded without it. Ask for key frames now rather than wait for the decoders' PLIs
  // (docs/address-change.md).
  if (&transport == subscriber_.get()) {
    for (auto& consumer : consumers_) {
      consumer->requestKeyframe();
    }
  } else {
    // Our uploads were lost for everyone who receives them.
    for (Producer* producer : producerList_) {
      if (producer->isVideo()) {
        producer->requestKeyframe();
      }
    }
  }
}

Producer* Participant::producerForPacket(const rtp::RtpPacketView& packet) {
  auto it = producersBySsrc_.find(packet.ssrc());
  if (it != producersBySsrc_.end()) {
    return it->second;
  }
  // RFC 8843 §9.2: without a=ssrc lines, the MID header extension binds an SSRC to its
  // m-line on first sight.
  // An SSRC bound to none of our streams and not naming one of our MIDs: a stream the
  // offer never announced (or an SSRC that changed after the sender stopped sending MIDs).
  auto unknown = []() -> Producer* {
    mediaCounters().droppedUnknownSsrc.add();
    return nullptr;
  };
  if (midExtensionId_ == 0) {
    return unknown();
  }
  auto mid = packet.mid(static_cast<uint8_t>(midExtensionId_));
  if (!mid) {
    return unknown();
  }
  Producer* producer = findProducerByMid(std::string(*mid));
  if (!producer) {
    return unknown();
  }
  if (producer->simulcast()) {
    if (!bindSimulcastSsrc(*producer, packet)) {
      return nullptr;  // counted there
    }
    producersBySsrc_[packet.ssrc()] = producer;
    return producer;
  }
  if (producer->canonicalPayloadType(packet.payloadType())) {
    if (producer->ssrc() == 0) {
      producer->learnSsrc(packet.ssrc());
    }
  } else if (producer->rtxSsrc() == 0) {
    producer->learnRtxSsrc(packet.ssrc());
  }
  producersBySsrc_[packet.ssrc()] = producer;
  return producer;
}

bool Participant::bindSimulcastSsrc(Producer& producer, const rtp::RtpPacketView& packet) {
  if (ridExtensionId_ != 0) {
    if (auto rid = packet.rid(static_cast<uint8_t>(ridExtensionId_))) {
      return producer.bindRid(packet.ssrc(), *rid, false);
    }
  }
  if (repairedRidExtensionId_ != 0) {
    if (auto rid = packet.rid(static_cast<uint8_t>(repairedRidExtensionId_))) {
      return producer.bindRid(packet.ssrc(), *rid, true);
    }
  }
  // No RID (yet): the sender repeats it until it hears an RR for the SSRC.
  mediaCounters().droppedUnknownSsrc.add();
  return false;
}

void Participant::onTransportRtp(WebRtcTransport& transport, rtp::RtpPacketView& packet) {
  if (&transport != publisher_.get()) {
    return;  // subscribers send no media to us
  }
  const Micros now = host_.now();  // one clock read per packet (was two)
  if (transportCcExtensionId_ != 0) {
    if (auto seq = packet.transportSequenceNumber(static_cast<uint8_t>(transportCcExtensionId_))) {
      rtcp_.onTransportSequenceNumber(*seq, host_.receivedAt());
    }
  }
  Producer* producer = producerForPacket(packet);
  if (!producer) {
    return;
  }
  size_t layer = 0;
  if (producer->receive(packet, now, &layer) == Producer::Verdict::kForward) {
    listener_.onParticipantRtp(*this, *producer, layer, packet, now);
  }
}

void Participant::onTransportRtcp(WebRtcTransport& transport, ByteView compound) {
  if (&transport == subscriber_.get()) {
    handleSubscriberRtcp(compound);
  } else {
    handlePublisherRtcp(compound);
  }
}

Result<rtp::RtcpCompoundView, rtp::RtcpError> Participant::readCompound(ByteView compound) {
  auto packets = rtp::RtcpCompoundView::salvage(compound);
  if (packets.ok() && packets->droppedBytes() > 0) {
    mediaCounters().rtcpTailsDropped.add();
  }
  return packets;
}

void Participant::handleSubscriberRtcp(ByteView compound) {
  auto packets = readCompound(compound);
  if (!packets.ok()) {
    return;
  }
  for (const rtp::RtcpPacketView& packet : *packets) {
    switch (packet.kind()) {
      case rtp::RtcpKind::kGenericNack: {
        auto nack = rtp::GenericNackView::parse(packet);
        if (!nack.ok()) {
          break;
        }
        if (Consumer* consumer = findConsumerBySsrc(nack->mediaSsrc())) {
          Micros now = host_.now();
          nack->forEachSequenceNumber([this, consumer, now](uint16_t seq) {
            mediaCounters().nacksReceived.add();
            if (downlink_.allowRetransmission(now)) {
              consumer->retransmit(seq);
            }
          });
        }
        break;
      }
      case rtp::RtcpKind::kPli: {
        auto pli = rtp::PliView::parse(packet);
        if (pli.ok()) {
          mediaCounters().plisReceived.add();
          if (Consumer* consumer = findConsumerBySsrc(pli->mediaSsrc())) {
            consumer->requestKeyframe();
          }
        }
        break;
      }
      case rtp::RtcpKind::kFir: {
        auto fir = rtp::FirView::parse(packet);
        if (fir.ok()) {
          for (size_t i = 0; i < fir->entryCount(); ++i) {
            if (Consumer* consumer = findConsumerBySsrc(fir->entry(i).ssrc)) {
              consumer->requestKeyframe();
            }
          }
        }
        break;
      }
      case rtp::RtcpKind::kReceiverReport:
        countRoundTrips(packet);
        break;
      case rtp::RtcpKind::kTransportCc: {
        if (!subscriber_->transportCcNegotiated()) {
          break;
        }
        auto feedback = rtp::TransportCcFeedbackView::parse(packet);
        if (!feedback.ok()) {
          mediaCounters().transportCcIgnored.add();
          break;
        }
        downlink_.onFeedback(*feedback, *subscriber_, host_.now());
        break;
      }
      default:
        // REMB is ignored: Chromium's REMB toward us is its receive-side estimate, which
        // follows the rate it already gets (measured 170–350 kbit/s while receiving 720p
        // fine); the send-side estimate from transport-cc feedback replaces it
        // (docs/bandwidth-estimation.md).
        break;
    }
  }
}

void Participant::countRoundTrips(const rtp::RtcpPacketView& packet) {
  auto rr = rtp::ReceiverReportView::parse(packet);
  if (!rr.ok()) {
    return;
  }
  for (size_t i = 0; i < rr->reportCount(); ++i) {
    rtp::ReportBlock block = rr->reportBlock(i);
    Consumer* consumer = findConsumerBySsrc(block.ssrc);
    if (consumer == nullptr) {
      continue;
    }
    consumer->onReceiverReport(block.fractionLost, host_.now());
    if (consumer->producer() == nullptr) {
      continue;
    }
    // Our SRs carry the publisher's NTP clock extrapolated (Consumer::senderInfo), so the
    // arrival time A must be read on that same clock: RTT = A - LSR - DLSR.
    std::optional<uint32_t> arrival;
    if (block.lastSr != 0) {
      if (auto info = consumer->senderInfo(host_.now(), 0)) {
        arrival = static_cast<uint32_t>(info->ntp >> 16);
        if (auto rtt = roundTripMs(*arrival, block.lastSr, block.delaySinceLastSr)) {
          mediaCounters().roundTripSeconds.observe(*rtt / 1000.0);
          downlink_.onRtt(Micros(static_cast<int64_t>(*rtt * 1000)));
          consumer->producer()->observeRoundTrip(Micros(static_cast<int64_t>(*rtt * 1000.0)));
        }
      }
    }
    downlinkReports_.onReportBlock(block, consumer->producer()->clockRate(), arrival);
  }
}

void Participant::handlePublisherRtcp(ByteView compound) {
  auto packets = readCompound(compound);
  if (!packets.ok()) {
    return;
  }
  for (const rtp::RtcpPacketView& packet : *packets) {
    if (packet.kind() != rtp::RtcpKind::kSenderReport) {
      continue;
    }
    auto sr = rtp::SenderReportView::parse(packet);
    if (!sr.ok()) {
      continue;
    }
    auto it = producersBySsrc_.find(sr->senderSsrc());
    if (it != producersBySsrc_.end()) {
      uint64_t ntp = sr->ntpTimestamp();
      it->second->onSenderReport(sr->senderSsrc(), static_cast<uint32_t>(ntp >> 16), ntp, sr->rtpTimestamp(),
                                 host_.now());
    }
  }
}

void Participant::onTransportFailed(WebRtcTransport& transport, const std::string& reason) {
  // A vanished client loses consent on both of its transports, one tick apart: signaling
  // owns the participant's lifecycle and must hear about it once.
  if (failed_) {
    return;
  }
  failed_ = true;
  listener_.onParticipantFailed(*this, reason);
}

}  // namespace medrtc::sfu
